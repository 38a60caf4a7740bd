import BigImport from 'big.js';

/**
 * One decimal configuration for the whole engine. big.js is exact for + - x; only division rounds,
 * to DIVISION_DP places, half-even. Results are rounded once to RESULT_DP places, half-even, so
 * the same inputs give the same digits on every machine, in every chunk order.
 */
export const DIVISION_DP = 24;
export const RESULT_DP = 12;

// big.js is CommonJS with a default export; under nodenext the constructor is the default.
const BigCtor = BigImport as unknown as BigImport.BigConstructor;
export const Big: BigImport.BigConstructor = BigCtor();
Big.DP = DIVISION_DP;
Big.RM = Big.roundHalfEven;
Big.NE = -40;
Big.PE = 40;
export type Decimal = BigImport.Big;

const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function isDecimalString(s: string): boolean {
  return DECIMAL_RE.test(s.trim());
}

export function dec(value: string | number | Decimal): Decimal {
  return new Big(value);
}

/** Round to the result scale and render without exponent, trailing zeros trimmed. */
export function toResultString(value: Decimal, dp = RESULT_DP): string {
  return value.round(dp, Big.roundHalfEven).toFixed();
}

export function sumDecimalStrings(values: Iterable<string>): string {
  let total = new Big(0);
  for (const v of values) total = total.plus(v);
  return total.toFixed();
}
