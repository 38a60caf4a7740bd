import { describe, expect, it } from 'vitest';
import { validateActivityRecord } from './activityRecord.ts';

const ctx = { entities: new Map([['HQ', 'e-1']]) };
const ok = { entity: 'HQ', date: '2024-03-01', activity_type: 'Diesel', quantity: '12.50', unit: 'litres' };

describe('validateActivityRecord', () => {
  it('accepts a valid row and normalises it', () => {
    const r = validateActivityRecord(ok, 2, ctx);
    expect(r).toEqual({
      ok: true,
      row: { line: 2, entityId: 'e-1', periodStart: '2024-03-01', periodEnd: '2024-03-01', activityType: 'diesel', quantity: '12.5', unit: 'litre', description: null, supplier: null, amount: null, currency: null, account: null, category: null, attributes: null },
    });
  });

  it.each([
    [{ entity: 'XX' }, 'entity', 'unknown entity "XX" in this organisation'],
    [{ entity: '' }, 'entity', 'is required'],
    [{ date: '2024-13-01' }, 'date', '"2024-13-01" is not a date (YYYY-MM-DD)'],
    [{ date: undefined }, 'date', 'is required (or period_start and period_end)'],
    [{ date: undefined, period_start: '2024-01-01' }, 'period_end', 'is required with period_start'],
    [{ quantity: 'twelve' }, 'quantity', '"twelve" is not a number'],
    [{ quantity: '-1' }, 'quantity', 'must not be negative (got -1)'],
    [{ quantity: '1e16' }, 'quantity', '1e16 is implausibly large (limit 1e15)'],
    [{ unit: 'furlongs' }, 'unit', 'unknown unit "furlongs"'],
    [{ amount: '10' }, 'currency', 'is required with amount'],
    [{ currency: 'GBP' }, 'amount', 'is required with currency'],
    [{ amount: '10', currency: 'pounds' }, 'currency', '"pounds" is not an ISO 4217 code'],
    [{ activity_type: undefined }, 'activity_type', 'is required'],
    [{ cabin_class: 'steerage' }, 'cabin_class', '"steerage" is not a cabin class (economy, premium_economy, business, first, average)'],
    [{ trips: '0' }, 'trips', '"0" is not a whole number of trips (1 or more)'],
    [{ origin: 'Frankfurt' }, 'origin', '"Frankfurt" is not an ISO 3166 country or subdivision code (e.g. GB, US-CA)'],
    [{ price_basis: 'retail' }, 'price_basis', '"retail" is not a price basis (purchaser or producer)'],
  ])('rejects %j on %s', (patch, field, reason) => {
    const r = validateActivityRecord({ ...ok, ...patch }, 7, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ line: 7, field, reason });
  });

  it('reports every problem of a row at once', () => {
    const r = validateActivityRecord({ entity: 'XX', date: 'yesterday', activity_type: 'x', quantity: '-2', unit: '?' }, 3, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['entity', 'date', 'quantity', 'unit']);
  });

  it('accepts thousands separators and JSON numbers', () => {
    const r = validateActivityRecord({ ...ok, quantity: '1,234.5', amount: 99.95, currency: 'eur' }, 2, ctx);
    expect(r.ok && r.row).toMatchObject({ quantity: '1234.5', amount: '99.95', currency: 'EUR' });
  });

  it('keeps the method fields of a row, normalised', () => {
    const r = validateActivityRecord({ ...ok, cabin_class: 'Premium Economy', trips: '2', origin: 'gb', destination: 'US', location: 'gb-lnd', price_basis: 'basic price' }, 2, ctx);
    expect(r.ok && r.row.attributes).toEqual({ cabin_class: 'premium_economy', trips: 2, origin: 'GB', destination: 'US', location: 'GB-LND', price_basis: 'producer' });
  });
});
