import { calculateActivities, normaliseGas, type EmissionFactor } from '@tally/core';
import { describe, expect, it } from 'vitest';
import { loadBundledFactorSet, loadBundledGwpSets } from './index.ts';

const find = (factors: EmissionFactor[], key: string, unit: string) => {
  const f = factors.find((x) => x.activityKey === key && x.unit === unit);
  if (!f) throw new Error(`no factor ${key} ${unit}`);
  return f;
};

describe('bundled DESNZ factor sets', () => {
  it('reads values exactly as published (2025)', async () => {
    const { result, checksum, meta } = await loadBundledFactorSet('desnz-2025');
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.gwpBasis).toBe('AR5');
    const elec = find(result.factors, 'uk-electricity/electricity-generated/electricity-uk', 'kWh');
    expect(elec).toMatchObject({ id: 'desnz-2025:7_400_4000_5', co2e: '0.177', scope: 2, region: 'GB', year: 2025, gases: { CO2: '0.17489', CH4: '0.0009', N2O: '0.00122' } });
    const diesel = find(result.factors, 'fuels/liquid-fuels/diesel-average-biofuel-blend', 'litre');
    expect(diesel).toMatchObject({ id: 'desnz-2025:1_101_1011_8', co2e: '2.57082', scope: 1, gases: { CO2: '2.53763', CH4: '0.00029', N2O: '0.0329' } });
    expect(diesel.sourceRows.map((r) => r.id)).toEqual(['1_101_1011_8_1', '1_101_1011_8_2', '1_101_1011_8_3', '1_101_1011_8_4']);
    const gas = find(result.factors, 'fuels/gaseous-fuels/natural-gas', 'kWh_gross');
    expect(gas.co2e).toBe('0.18296');
    const flight = find(result.factors, 'business-travel-air/flights/long-haul-to-from-uk/business-class/with-rf', 'passenger_km');
    expect(flight.category).toBe('3.6 Business travel');
  });

  it('keeps (activity key, unit, region) unique and reports every row it did not use, with a reason', async () => {
    for (const id of ['desnz-2024', 'desnz-2025']) {
      const { result } = await loadBundledFactorSet(id);
      // Hotel stays share one key, one factor per country (region).
      const keys = result.factors.map((f) => `${f.activityKey}|${f.unit}|${f.region}`);
      expect(new Set(keys).size, id).toBe(keys.length);
      const reasons = new Map<string, number>();
      for (const s of result.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
      // 438 + 76 kWh conversion rows (SECR); blanks are "no factor given".
      expect(reasons.get('ENERGY_CONVERSION_ROW'), id).toBe(514);
      expect([...reasons.keys()].sort(), id).toEqual(['ENERGY_CONVERSION_ROW', 'NO_VALUE']);
      const used = result.factors.reduce((n, f) => n + f.sourceRows.length, 0);
      expect(used + result.skipped.length, id).toBe(8740);
    }
  });

  it('calculates a litre of diesel and a kWh of UK electricity to the published figures', async () => {
    const { result } = await loadBundledFactorSet('desnz-2025');
    const gwpSets = await loadBundledGwpSets();
    const out = calculateActivities({
      activities: [
        { id: '1', activityType: 'fuels/liquid-fuels/diesel-average-biofuel-blend', quantity: '1', unit: 'litre' },
        { id: '2', activityType: 'uk-electricity/electricity-generated/electricity-uk', quantity: '1', unit: 'kWh' },
        { id: '3', activityType: 'uk-electricity/electricity-generated/electricity-uk', quantity: '1', unit: 'MWh' },
      ],
      factors: result.factors,
      gwpSetId: 'AR5',
      gwpSets,
    });
    expect(out.map((r) => (r.status === 'calculated' ? r.co2eKg : r.status))).toEqual(['2.57082', '0.177', '177']);
  });
});

describe('bundled GWP sets', () => {
  it('has AR4, AR5 and AR6 100-year values as published', async () => {
    const sets = new Map((await loadBundledGwpSets()).map((s) => [s.id, s.values]));
    expect([...sets.keys()]).toEqual(['AR4', 'AR5', 'AR6']);
    const v = (set: string, gas: string) => sets.get(set)?.[normaliseGas(gas)];
    expect([v('AR4', 'CH4'), v('AR5', 'CH4'), v('AR6', 'CH4')]).toEqual(['25', '28', '27.9']);
    expect([v('AR4', 'N2O'), v('AR5', 'N2O'), v('AR6', 'N2O')]).toEqual(['298', '265', '273']);
    expect([v('AR4', 'SF6'), v('AR5', 'SF6'), v('AR6', 'SF6')]).toEqual(['22800', '23500', '25200']);
    expect([v('AR4', 'HFC-134a'), v('AR5', 'R-134a'), v('AR6', 'HFC134a')]).toEqual(['1430', '1300', '1530']);
  });
});
