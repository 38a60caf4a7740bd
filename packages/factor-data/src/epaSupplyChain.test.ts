import { Big, calculateActivities, naicsKey, prepareFactor, type CalculatedResult } from '@tally/core';
import { describe, expect, it } from 'vitest';
import { loadBundledFactorSet, loadBundledGwpSets } from './index.ts';

describe('US EPA supply chain factors', () => {
  it('reads v1.3.0 with and without margins, per 2022 USD, with the published values', async () => {
    const { result, meta, checksum } = await loadBundledFactorSet('epa-sc-v1.3.0');
    expect(meta).toMatchObject({ region: 'US', gwpBasis: 'AR5', licence: 'US-Government-Public-Domain' });
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(result.factors).toHaveLength(2 * 1016);
    const steel = result.factors.find((f) => f.activityKey === naicsKey('331110', 'purchaser'))!;
    const steelGate = result.factors.find((f) => f.activityKey === naicsKey('331110', 'producer'))!;
    expect(steel).toMatchObject({ co2e: '0.787', unit: 'USD', scope: 3, gasBasis: 'mass', priceBasis: { currency: 'USD', year: 2022, price: 'purchaser' } });
    expect(steelGate.co2e).toBe('0.769');
    expect(Object.keys(steel.gases)).toHaveLength(18);
    expect(steel.gases.CO2e_unspecified).toBeDefined();
  });

  it('summing v1.3.0 gases with AR5 GWPs reproduces the published CO2e to within 0.0015 for nearly all codes', async () => {
    const { result } = await loadBundledFactorSet('epa-sc-v1.3.0');
    const sets = new Map((await loadBundledGwpSets()).map((s) => [s.id, s]));
    const ar5 = sets.get('AR5')!;
    const purchaser = result.factors.filter((f) => f.priceBasis?.price === 'purchaser');
    let within = 0;
    for (const f of purchaser) {
      // recompute from the gases alone (as if no total were published)
      const sum = prepareFactor({ ...f, co2e: null }, ar5, sets).co2ePerUnit;
      if (sum.minus(f.co2e!).abs().lte('0.0015')) within++;
    }
    expect(within / purchaser.length).toBeGreaterThan(0.99);
    // AR4 does not fit as well: the file is AR5-based
    let within4 = 0;
    for (const f of purchaser) if (prepareFactor({ ...f, co2e: null, gwpBasis: null }, sets.get('AR4')!, sets).co2ePerUnit.minus(f.co2e!).abs().lte('0.0015')) within4++;
    expect(within4).toBeLessThan(within);
  });

  it('calculates spend with the published total under AR5 and from the gases under AR6', async () => {
    const { result } = await loadBundledFactorSet('epa-sc-v1.3.0');
    const gwpSets = await loadBundledGwpSets();
    const input = (gwpSetId: string) =>
      calculateActivities({ activities: [{ id: '1', activityType: naicsKey('331110', 'purchaser'), quantity: '1000', unit: 'USD', year: 2022 }], factors: result.factors, gwpSetId, gwpSets })[0] as CalculatedResult;
    expect(input('AR5')).toMatchObject({ co2eKg: '787', co2eMethod: 'published_total' });
    const ar6 = input('AR6');
    expect(ar6.co2eMethod).toBe('sum_of_gases');
    expect(new Big(ar6.co2eKg).minus(787).abs().lt(20)).toBe(true);
  });

  it('reads v1.2 (2021 USD) totals', async () => {
    const { result } = await loadBundledFactorSet('epa-sc-v1.2');
    expect(result.factors).toHaveLength(2 * 1016);
    const soy = result.factors.find((f) => f.activityKey === naicsKey('111110', 'purchaser'))!;
    expect(soy).toMatchObject({ co2e: '1.326', gasBasis: 'co2e', gases: {}, priceBasis: { year: 2021 } });
  });
});
