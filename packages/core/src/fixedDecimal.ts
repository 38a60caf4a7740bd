import { Big, type Decimal } from './decimal.ts';

/**
 * An exact decimal as a BigInt and a scale (value = n × 10^-s), for hot loops that only add,
 * subtract, multiply and compare: native BigInt operations instead of big.js's digit arrays (the
 * market-based allocation of tens of thousands of lines ran two to four times faster). The same
 * exact arithmetic as big.js's plus, minus and times, so a result converted back (toBig) has the
 * same digits. Division and rounding stay with big.js (decimal.ts): convert at the boundary.
 */
export interface Fixed {
  readonly n: bigint;
  readonly s: number;
}

export const FIXED_ZERO: Fixed = { n: 0n, s: 0 };

const POW10: bigint[] = [1n];
function pow10(k: number): bigint {
  for (let i = POW10.length; i <= k; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[k]!;
}

/** A plain decimal text ("-12.5", "3", ".25"); anything else (exponents, spaces) through big.js, which rejects what is not a number. */
export function fixed(text: string): Fixed {
  const dot = text.indexOf('.');
  try {
    // BigInt would take a leading '+', which big.js (and so the rest of the engine) rejects.
    if (text.charCodeAt(0) === 43) throw new SyntaxError(text);
    if (dot < 0) return { n: BigInt(text), s: 0 };
    const int = text.slice(0, dot);
    const frac = text.slice(dot + 1);
    // BigInt accepts a sign and digits only, so "1.-2" or "1.2e3" fail here and take the slow path.
    if (frac.length === 0 || frac.charCodeAt(0) === 43 || frac.charCodeAt(0) === 45) throw new SyntaxError(text);
    return { n: BigInt(int === '' || int === '-' ? `${int}0${frac}` : int + frac), s: frac.length };
  } catch {
    return fixedFromBig(new Big(text));
  }
}

export function fixedFromBig(d: Decimal): Fixed {
  // big.js keeps digits (c), exponent (e) and sign (s): value = 0.c1c2... × 10^(e+1).
  const digits = BigInt(d.c.join('')) * (d.s < 0 ? -1n : 1n);
  const scale = d.c.length - 1 - d.e;
  return scale >= 0 ? { n: digits, s: scale } : { n: digits * pow10(-scale), s: 0 };
}

export function toBig(x: Fixed): Decimal {
  return new Big(x.s === 0 ? x.n.toString() : `${x.n}e-${x.s}`);
}

export function plus(a: Fixed, b: Fixed): Fixed {
  if (a.s === b.s) return { n: a.n + b.n, s: a.s };
  return a.s > b.s ? { n: a.n + b.n * pow10(a.s - b.s), s: a.s } : { n: a.n * pow10(b.s - a.s) + b.n, s: b.s };
}

export function minus(a: Fixed, b: Fixed): Fixed {
  return plus(a, { n: -b.n, s: b.s });
}

export function times(a: Fixed, b: Fixed): Fixed {
  return { n: a.n * b.n, s: a.s + b.s };
}

export function cmpFixed(a: Fixed, b: Fixed): -1 | 0 | 1 {
  const [x, y] = a.s === b.s ? [a.n, b.n] : a.s > b.s ? [a.n, b.n * pow10(a.s - b.s)] : [a.n * pow10(b.s - a.s), b.n];
  return x < y ? -1 : x > y ? 1 : 0;
}

export const isPositive = (a: Fixed) => a.n > 0n;
