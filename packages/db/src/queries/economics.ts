import type { EconomicTables, ExchangeRate, PriceIndexPoint } from '@tally/core';
import type pg from 'pg';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { inPgTransaction } from '../pgExec.ts';

const RateRow = z.object({ currency: z.string(), year: z.number(), usdPerUnit: z.string(), source: z.string(), loadedAt: z.string() });
const IndexRow = z.object({ indexId: z.string(), currency: z.string(), year: z.number(), value: z.string(), source: z.string(), loadedAt: z.string() });

/**
 * Loads (or corrects) exchange rates and price-index values, one row per (currency, year) and
 * (index, year). Results keep the values they used in their conversion chain, so a correction
 * never rewrites history: only later runs see it.
 */
export async function storeEconomics(pool: pg.Pool, input: { exchangeRates?: readonly ExchangeRate[]; priceIndices?: readonly PriceIndexPoint[] }): Promise<{ exchangeRates: number; priceIndices: number }> {
  const rates = input.exchangeRates ?? [];
  const points = input.priceIndices ?? [];
  await inPgTransaction(pool, async (c) => {
    if (rates.length > 0) {
      await c.query(
        `insert into exchange_rates (currency, year, usd_per_unit, source)
         select * from unnest($1::text[], $2::int[], $3::numeric[], $4::text[])
         on conflict (currency, year) do update set usd_per_unit = excluded.usd_per_unit, source = excluded.source, loaded_at = now()
         where (exchange_rates.usd_per_unit, exchange_rates.source) is distinct from (excluded.usd_per_unit, excluded.source)`,
        [rates.map((r) => r.currency), rates.map((r) => r.year), rates.map((r) => r.usdPerUnit), rates.map((r) => r.source)],
      );
    }
    if (points.length > 0) {
      await c.query(
        `insert into price_indices (index_id, year, value, currency, source)
         select * from unnest($1::text[], $2::int[], $3::numeric[], $4::text[], $5::text[])
         on conflict (index_id, year) do update set value = excluded.value, currency = excluded.currency, source = excluded.source, loaded_at = now()
         where (price_indices.value, price_indices.currency, price_indices.source) is distinct from (excluded.value, excluded.currency, excluded.source)`,
        [points.map((p) => p.indexId), points.map((p) => p.year), points.map((p) => p.value), points.map((p) => p.currency), points.map((p) => p.source)],
      );
    }
  });
  return { exchangeRates: rates.length, priceIndices: points.length };
}

export async function listExchangeRates(db: CommonQueryMethods, year?: number): Promise<readonly z.infer<typeof RateRow>[]> {
  return db.any(sql.type(RateRow)`
    select currency, year, usd_per_unit::text as "usdPerUnit", source, loaded_at as "loadedAt" from exchange_rates
    ${year === undefined ? sql.fragment`` : sql.fragment`where year = ${year}`} order by year, currency`);
}

export async function listPriceIndices(db: CommonQueryMethods, indexId?: string): Promise<readonly z.infer<typeof IndexRow>[]> {
  return db.any(sql.type(IndexRow)`
    select index_id as "indexId", currency, year, value::text as value, source, loaded_at as "loadedAt" from price_indices
    ${indexId === undefined ? sql.fragment`` : sql.fragment`where index_id = ${indexId}`} order by index_id, year`);
}

/** Everything a calculation needs to convert spend (a few hundred rows). */
export async function loadEconomics(db: CommonQueryMethods): Promise<EconomicTables> {
  const [rates, points] = await Promise.all([listExchangeRates(db), listPriceIndices(db)]);
  return {
    exchangeRates: rates.map(({ currency, year, usdPerUnit, source }) => ({ currency, year, usdPerUnit, source })),
    priceIndices: points.map(({ indexId, currency, year, value, source }) => ({ indexId, currency, year, value, source })),
  };
}
