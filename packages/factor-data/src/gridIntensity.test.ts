import { calculateActivities, GRID_KEY, type CalculatedResult } from '@tally/core';
import { describe, expect, it } from 'vitest';
import { loadBundledFactorSet, loadBundledGwpSets } from './index.ts';

describe('grid intensity by country and year (OWID/Ember, CC BY 4.0)', () => {
  it('gives one kWh factor per country and year, in kg, with the world as the global fallback', async () => {
    const { result, meta } = await loadBundledFactorSet('owid-ember-grid-2025');
    expect(meta.licence).toBe('CC-BY-4.0');
    const fr = result.factors.filter((f) => f.region === 'FR' && f.year >= 2022).map((f) => [f.year, f.co2e]);
    expect(fr).toEqual([[2022, '0.07857'], [2023, '0.05363'], [2024, '0.04083'], [2025, '0.04179']]);
    expect(result.factors.find((f) => f.region === 'GLOBAL' && f.year === 2023)?.co2e).toBe('0.48368');
    expect(result.skipped.every((s) => s.reason === 'AGGREGATE' || s.reason === 'UNKNOWN_COUNTRY')).toBe(true);
    expect(result.skipped.some((s) => s.detail.startsWith('ASEAN (Ember)'))).toBe(true);
    const keys = result.factors.map((f) => `${f.region}|${f.year}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('resolves each activity to its country and reporting year, nearest earlier year when missing', async () => {
    const { result } = await loadBundledFactorSet('owid-ember-grid-2025');
    const out = calculateActivities({
      activities: [
        { id: '1', activityType: GRID_KEY, quantity: '1000', unit: 'kWh', region: 'FR', year: 2023 },
        { id: '2', activityType: GRID_KEY, quantity: '1', unit: 'MWh', region: 'GB', year: 2024 },
        { id: '3', activityType: GRID_KEY, quantity: '1000', unit: 'kWh', region: 'FR', year: 2030 },
      ],
      factors: result.factors,
      gwpSetId: 'AR5',
      gwpSets: await loadBundledGwpSets(),
    }) as CalculatedResult[];
    expect(out.map((r) => [r.co2eKg, r.resolution])).toEqual([
      ['53.63', 'region FR; year 2023'],
      ['216.5', 'region GB; year 2024'],
      [expect.any(String), expect.stringMatching(/^region FR; year 20\d\d \(nearest earlier than 2030\)$/)],
    ]);
  });
});
