import { dec, isDecimalString } from '@tally/core';
import { listExchangeRates, listPriceIndices, storeEconomics, type Db } from '@tally/db';
import { Router } from 'express';
import { z } from 'zod';
import { requireOperator } from '../http/auth.ts';
import { badRequest, fromZod } from '../http/problem.ts';

const Decimal = z.string().refine((v) => isDecimalString(v) && Number(v) > 0, 'must be a positive decimal string');
const Year = z.coerce.number().int().min(1950).max(2100);
const PutRates = z.object({
  source: z.string().min(1).max(300),
  /** ISO 4217 code -> US dollars per unit, the year's average. */
  usdPerUnit: z.record(z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code'), Decimal),
});
const PutIndex = z.object({ source: z.string().min(1).max(300), currency: z.string().regex(/^[A-Za-z]{3}$/), values: z.record(z.string().regex(/^\d{4}$/, 'must be a year'), Decimal) });

/**
 * Exchange rates and price indices for spend-based factors: everyone reads them, the operator
 * loads or corrects them per year. A result records the values it used.
 */
export function economicsRoutes(db: Db): Router {
  const r = Router();

  r.get('/exchange-rates', async (req, res) => {
    const year = req.query.year === undefined ? undefined : Year.safeParse(req.query.year);
    if (year && !year.success) throw badRequest('year must be a year, e.g. ?year=2024');
    res.json({ exchangeRates: await listExchangeRates(db.pool, year?.data) });
  });

  r.put('/exchange-rates/:year', async (req, res) => {
    requireOperator(req);
    const year = Year.safeParse(req.params.year);
    if (!year.success) throw badRequest('the path must name a year, e.g. /v1/exchange-rates/2024');
    const body = PutRates.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const rates = Object.entries(body.data.usdPerUnit).map(([currency, usdPerUnit]) => ({ currency: currency.toUpperCase(), year: year.data, usdPerUnit: dec(usdPerUnit).toFixed(), source: body.data.source }));
    await storeEconomics(db.pg, { exchangeRates: rates });
    res.json({ exchangeRates: await listExchangeRates(db.pool, year.data) });
  });

  r.get('/price-indices', async (_req, res) => {
    res.json({ priceIndices: await listPriceIndices(db.pool) });
  });

  r.put('/price-indices/:indexId', async (req, res) => {
    requireOperator(req);
    const indexId = req.params.indexId;
    if (!/^[A-Za-z0-9._-]{1,50}$/.test(indexId)) throw badRequest('index id: letters, digits, ".", "_" or "-", at most 50');
    const body = PutIndex.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const points = Object.entries(body.data.values).map(([y, value]) => ({ indexId, currency: body.data.currency.toUpperCase(), year: Number(y), value: dec(value).toFixed(), source: body.data.source }));
    await storeEconomics(db.pg, { priceIndices: points });
    res.json({ priceIndices: await listPriceIndices(db.pool, indexId) });
  });

  return r;
}
