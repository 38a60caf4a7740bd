import { Big, isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import type { ExchangeRate, PriceIndexPoint } from './spendConversion.ts';

const YEAR = /^\d{4}$/;
const CURRENCY = /^[A-Z]{3}$/;

function field(r: Record<string, string>, name: string, where: string): string {
  const v = (r[name] ?? '').trim();
  if (v === '') throw new CoreError('ECONOMICS.BAD_ROW', `${where}: ${name} is missing`, { where, field: name });
  return v;
}

function positive(v: string, where: string, name: string): string {
  if (!isDecimalString(v) || new Big(v).lte(0)) throw new CoreError('ECONOMICS.BAD_ROW', `${where}: ${name} "${v}" is not a positive number`, { where, field: name });
  return new Big(v).toFixed();
}

function year(v: string, where: string): number {
  if (!YEAR.test(v)) throw new CoreError('ECONOMICS.BAD_ROW', `${where}: year "${v}" is not a year`, { where, field: 'year' });
  return Number(v);
}

/**
 * Exchange rates as a central bank quotes them (`USD per unit` or `units per USD`), to US dollars
 * per unit; an inverted quotation is divided once, at the engine's division precision.
 */
export function parseExchangeRates(records: readonly Record<string, string>[], source: string, file = 'exchange rates'): ExchangeRate[] {
  return records.map((r, i) => {
    const where = `${file} line ${i + 2}`;
    const currency = field(r, 'currency', where).toUpperCase();
    if (!CURRENCY.test(currency)) throw new CoreError('ECONOMICS.BAD_ROW', `${where}: currency "${currency}" is not an ISO 4217 code`, { where, field: 'currency' });
    const rate = positive(field(r, 'rate', where), where, 'rate');
    const q = field(r, 'quotation', where).toLowerCase();
    if (q !== 'usd per unit' && q !== 'units per usd') throw new CoreError('ECONOMICS.BAD_ROW', `${where}: quotation "${q}" is neither "USD per unit" nor "units per USD"`, { where, field: 'quotation' });
    const usdPerUnit = q === 'usd per unit' ? rate : new Big(1).div(rate).toFixed();
    return { currency, year: year(field(r, 'year', where), where), usdPerUnit, source };
  });
}

export function parsePriceIndex(records: readonly Record<string, string>[], source: string, file = 'price index'): PriceIndexPoint[] {
  return records.map((r, i) => {
    const where = `${file} line ${i + 2}`;
    const currency = field(r, 'currency', where).toUpperCase();
    if (!CURRENCY.test(currency)) throw new CoreError('ECONOMICS.BAD_ROW', `${where}: currency "${currency}" is not an ISO 4217 code`, { where, field: 'currency' });
    return { indexId: field(r, 'index', where), currency, year: year(field(r, 'year', where), where), value: positive(field(r, 'value', where), where, 'value'), source };
  });
}
