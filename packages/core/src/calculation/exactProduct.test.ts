import { describe, expect, it } from 'vitest';
import { Big, toResultString } from '../decimal.ts';
import { parseScaled, productString, scaledOf, scaledString } from './exactProduct.ts';

// A small deterministic generator: the same cases on every run.
function generator(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDecimal(rnd: () => number): string {
  const int = rnd() < 0.3 ? '0' : String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 9)));
  const fracLength = Math.floor(rnd() * 26);
  let frac = '';
  for (let i = 0; i < fracLength; i++) frac += String(Math.floor(rnd() * 10));
  const sign = rnd() < 0.15 ? '-' : '';
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

describe('exact products on BigInt', () => {
  it('gives the digits big.js gives, for 200,000 random products (half-even ties, signs, zeros, long fractions)', () => {
    const rnd = generator(7);
    for (let i = 0; i < 200_000; i++) {
      const a = randomDecimal(rnd);
      const b = randomDecimal(rnd);
      const c = randomDecimal(rnd);
      const expected = toResultString(new Big(a).times(b).times(c));
      const got = productString(scaledOf(new Big(a).times(b)), parseScaled(c));
      if (got !== expected) expect({ a, b, c, got }).toEqual({ a, b, c, got: expected });
    }
  }, 60_000); // about 3 s alone; a busy shared machine has stretched it past vitest's 5 s default

  it('rounds ties to even and writes zero, negatives and tiny values as big.js does', () => {
    const cases: [string, string][] = [
      ['0.0000000000005', '1'], ['0.0000000000015', '1'], ['-0.0000000000005', '1'], ['-0.0000000000015', '1'], ['0.0000000000004999', '1'],
      ['123.4500', '2'], ['0', '-3.5'], ['-1e-20', '1'], ['1e+25', '3.25'], ['2.5e-3', '4'], ['999999999999.9999999999995', '1'],
    ];
    for (const [a, b] of cases) expect(productString(parseScaled(a), parseScaled(b))).toBe(toResultString(new Big(a).times(b)));
    expect(scaledString({ coef: 0n, scale: 30 })).toBe('0');
  });
});
