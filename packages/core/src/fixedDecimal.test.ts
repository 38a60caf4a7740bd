import { describe, expect, it } from 'vitest';
import { Big } from './decimal.ts';
import { cmpFixed, fixed, fixedFromBig, minus, plus, times, toBig } from './fixedDecimal.ts';

// Deterministic decimal texts of every shape a store returns: signs, no integer part, many places, big integers.
function* texts(): Generator<string> {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  yield* ['0', '-0', '0.0', '.5', '-.25', '3.20', '1e-7', '2.5E+3', '100', '-100.000000000000', '123456789012345678901234567890.123456789012345678'];
  for (let i = 0; i < 300; i++) {
    const int = String(next() % 10 ** (next() % 9));
    const frac = String(next()).slice(0, next() % 12);
    yield `${next() % 5 === 0 ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  }
}

// big.js keeps a negative zero ('-0'); a BigInt has none, and a report never wants one.
const text = (d: InstanceType<typeof Big>) => (d.eq(0) ? '0' : d.toFixed());

describe('fixed-point decimals', () => {
  it('adds, subtracts, multiplies and compares to the same digits as big.js', () => {
    const xs = [...texts()];
    for (let i = 0; i < xs.length; i++) {
      const [a, b] = [xs[i]!, xs[(i * 7 + 3) % xs.length]!];
      const [fa, fb] = [fixed(a), fixed(b)];
      const [ba, bb] = [new Big(a), new Big(b)];
      expect(toBig(fa).eq(ba), a).toBe(true);
      expect(text(toBig(plus(fa, fb))), `${a} + ${b}`).toBe(text(ba.plus(bb)));
      expect(text(toBig(minus(fa, fb))), `${a} - ${b}`).toBe(text(ba.minus(bb)));
      expect(text(toBig(times(fa, fb))), `${a} × ${b}`).toBe(text(ba.times(bb)));
      expect(cmpFixed(fa, fb), `${a} vs ${b}`).toBe(ba.cmp(bb));
    }
  });

  it('takes big.js values of any exponent and rejects what is not a number', () => {
    for (const s of ['1.5e30', '0.000123', '-7', '0']) expect(toBig(fixedFromBig(new Big(s))).eq(s)).toBe(true);
    expect(() => fixed('12,5')).toThrow();
    expect(() => fixed('1.-2')).toThrow();
    expect(() => fixed('+3')).toThrow(); // as big.js
  });
});
