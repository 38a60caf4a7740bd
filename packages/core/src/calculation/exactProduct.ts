import { Big, RESULT_DP, type Decimal } from '../decimal.ts';

/**
 * Exact decimal products on BigInt, for the per-row multiplications of a calculation: a decimal is
 * an integer coefficient and a power-of-ten scale (value = coef / 10^scale). A product is exact
 * (as big.js's times is) and rounded once, half-even, to the result scale, then written as
 * big.js's toFixed writes it (no exponent, no trailing zeros, no "-0"), so the digits are the same
 * as toResultString(a.times(b)) gives; about ten times faster on the long coefficients of factors.
 */
export interface Scaled {
  coef: bigint;
  scale: number;
}

const POW10: bigint[] = [1n];
const pow10 = (n: number): bigint => {
  for (let i = POW10.length; i <= n; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[n]!;
};

/** A big.js value as a scaled integer (exact). */
export function scaledOf(x: Decimal): Scaled {
  const digits = x.c.join('');
  const scale = digits.length - 1 - x.e;
  let coef = BigInt(digits);
  if (x.s < 0) coef = -coef;
  return scale >= 0 ? { coef, scale } : { coef: coef * pow10(-scale), scale: 0 };
}

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A decimal string as a scaled integer (exact); forms other than plain digits go through big.js. */
export function parseScaled(s: string): Scaled {
  const m = PLAIN.exec(s);
  if (!m) return scaledOf(new Big(s));
  const frac = m[3] ?? '';
  const coef = BigInt(m[2]! + frac);
  return { coef: m[1] ? -coef : coef, scale: frac.length };
}

export function multiplyScaled(a: Scaled, b: Scaled): Scaled {
  return { coef: a.coef * b.coef, scale: a.scale + b.scale };
}

/** The exact product a × b, rounded half-even to dp places, as toResultString writes it. */
export function productString(a: Scaled, b: Scaled, dp = RESULT_DP): string {
  return scaledString(multiplyScaled(a, b), dp);
}

/** x rounded half-even to dp places, without exponent, trailing zeros trimmed. */
export function scaledString(x: Scaled, dp = RESULT_DP): string {
  let { coef, scale } = x;
  if (scale > dp) {
    const div = pow10(scale - dp);
    let q = coef / div; // truncates toward zero
    const r = coef - q * div;
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice > div || (twice === div && (q & 1n) !== 0n)) q += coef < 0n ? -1n : 1n;
    coef = q;
    scale = dp;
  }
  if (coef === 0n) return '0';
  const negative = coef < 0n;
  let digits = (negative ? -coef : coef).toString();
  // trailing zeros of the fraction go
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale--;
  }
  let out: string;
  if (scale === 0) out = digits;
  else {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    out = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${out}` : out;
}
