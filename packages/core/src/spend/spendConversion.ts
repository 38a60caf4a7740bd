import { Big } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import type { PriceBasis } from '../factors/emissionFactor.ts';

/** Annual average market rate: US dollars per one unit of the currency. */
export interface ExchangeRate {
  currency: string;
  year: number;
  usdPerUnit: string;
  source: string;
}

/** One year's value of a price index (any base), and the currency whose prices it measures. */
export interface PriceIndexPoint {
  indexId: string;
  currency: string;
  year: number;
  value: string;
  source: string;
}

export interface EconomicTables {
  exchangeRates: readonly ExchangeRate[];
  priceIndices: readonly PriceIndexPoint[];
}

export type ConversionStep =
  | { step: 'exchange_rate'; from: string; to: string; year: number; rateYear: number; usdPerUnit: string; multiplier: string; source: string }
  | { step: 'price_index'; indexId: string; currency: string; fromYear: number; toYear: number; fromValue: string; toValue: string; multiplier: string; source: string };

export interface SpendConversion {
  /** Multiply the spend (in `from`, `year` prices) by this to express it in the factor's basis. */
  multiplier: string;
  steps: ConversionStep[];
  /** Fallbacks taken (a missing year's rate), in words, for the result's lineage. */
  notes: string[];
}

/**
 * Takes spend in one currency and year's prices to the basis of a spend-based factor (per unit of
 * a currency in a base year's prices): to the factor's currency at the spend year's average rate
 * (through the US dollar), then from the spend year's prices to the base year's with the price
 * index of that currency's economy (US CPI-U for USD). Convert first, then deflate in the economy
 * the factors describe, as the USEEIO/EPA guidance does. A missing year takes the nearest earlier one, said so in `notes`;
 * a currency or index with no year at or before the one needed is an error, never a silent 1.
 */
export function spendConversion(from: { currency: string; year: number }, to: PriceBasis, tables: EconomicTables): SpendConversion {
  const steps: ConversionStep[] = [];
  const notes: string[] = [];
  let m = new Big(1);
  const currency = from.currency.toUpperCase();
  const target = to.currency.toUpperCase();

  if (currency !== 'USD' && currency !== target) {
    const r = lookup(tables.exchangeRates.filter((x) => x.currency === currency), from.year, 'SPEND.NO_EXCHANGE_RATE', `no exchange rate for ${currency} in or before ${from.year}`);
    if (r.year !== from.year) notes.push(`${currency} rate of ${r.year} used for ${from.year} (nearest earlier year loaded)`);
    m = m.times(r.usdPerUnit);
    steps.push({ step: 'exchange_rate', from: currency, to: 'USD', year: from.year, rateYear: r.year, usdPerUnit: r.usdPerUnit, multiplier: r.usdPerUnit, source: r.source });
  }

  if (target !== 'USD' && currency !== target) {
    const r = lookup(tables.exchangeRates.filter((x) => x.currency === target), from.year, 'SPEND.NO_EXCHANGE_RATE', `no exchange rate for ${target} in or before ${from.year}`);
    if (r.year !== from.year) notes.push(`${target} rate of ${r.year} used for ${from.year} (nearest earlier year loaded)`);
    const inverse = new Big(1).div(r.usdPerUnit);
    m = m.times(inverse);
    steps.push({ step: 'exchange_rate', from: 'USD', to: target, year: from.year, rateYear: r.year, usdPerUnit: r.usdPerUnit, multiplier: inverse.toFixed(), source: r.source });
  }

  if (from.year !== to.year) {
    const series = tables.priceIndices.filter((p) => p.currency === target);
    const indexId = series.find((p) => p.year === to.year)?.indexId ?? series[0]?.indexId;
    if (!indexId) throw new CoreError('SPEND.NO_PRICE_INDEX', `no price index for ${target} prices is loaded (needed to bring ${from.year} spend to ${to.year} prices)`, { currency: target });
    const points = series.filter((p) => p.indexId === indexId);
    const a = lookup(points, from.year, 'SPEND.NO_PRICE_INDEX', `no ${indexId} value in or before ${from.year}`);
    const b = points.find((p) => p.year === to.year);
    if (!b) throw new CoreError('SPEND.NO_PRICE_INDEX', `no ${indexId} value for ${to.year}, the factor's base year`, { indexId, year: to.year });
    if (a.year !== from.year) notes.push(`${indexId} of ${a.year} used for ${from.year} (nearest earlier year loaded)`);
    const ratio = new Big(b.value).div(a.value);
    m = m.times(ratio);
    steps.push({ step: 'price_index', indexId, currency: target, fromYear: from.year, toYear: to.year, fromValue: a.value, toValue: b.value, multiplier: ratio.toFixed(), source: b.source });
  }
  return { multiplier: m.toFixed(), steps, notes };
}

function lookup<T extends { year: number }>(rows: readonly T[], year: number, code: string, message: string): T {
  let best: T | undefined;
  for (const r of rows) if (r.year <= year && (!best || r.year > best.year)) best = r;
  if (!best) throw new CoreError(code, message, { year });
  return best;
}
