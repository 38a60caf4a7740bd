import { describe, expect, it } from 'vitest';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { calculateActivities, type ActivityInput, type CalculatedResult } from './calculateActivities.ts';
import { prepareFactor } from './prepareFactor.ts';

const GWP: GwpSet[] = [
  { id: 'AR5', name: 'AR5', horizonYears: 100, source: 'test', values: { CH4: '28', N2O: '265' } },
  { id: 'AR6', name: 'AR6', horizonYears: 100, source: 'test', values: { CH4: '27.9', N2O: '273' } },
];
const sets = new Map(GWP.map((s) => [s.id, s]));

const base = { factorSetId: 'set', name: 'x', scope: 1 as const, category: 'c', region: 'GB', year: 2025, gasBasis: 'co2e' as const, gwpBasis: 'AR5', sourceRows: [] };
const DIESEL: EmissionFactor = { ...base, id: 'set:diesel', activityKey: 'diesel', unit: 'litre', co2e: '2.57082', gases: { CO2: '2.53763', CH4: '0.00029', N2O: '0.0329' }, sourceRef: 'd' };
const GAS: EmissionFactor = { ...base, id: 'set:gas', activityKey: 'gas', unit: 'kWh_gross', co2e: '0.18296', gases: { CO2: '0.18256', CH4: '0.00027', N2O: '0.00013' }, sourceRef: 'g' };
const EPA_STYLE: EmissionFactor = { ...base, id: 'set:epa', activityKey: 'ng-mmbtu', unit: 'MMBtu', co2e: null, gasBasis: 'mass', gwpBasis: null, gases: { CO2: '53.06', CH4: '0.001', N2O: '0.0001' }, sourceRef: 'e' };
const FACTORS = [DIESEL, GAS, EPA_STYLE];

const calc = (activities: ActivityInput[], gwpSetId = 'AR5') => calculateActivities({ activities, factors: FACTORS, gwpSetId, gwpSets: GWP });

describe('prepareFactor', () => {
  it('uses the published total when the run uses the source GWP set', () => {
    const p = prepareFactor(DIESEL, sets.get('AR5')!, sets);
    expect(p.co2eMethod).toBe('published_total');
    expect(p.co2ePerUnit.toFixed()).toBe('2.57082');
    expect(p.gasMassPerUnit.CH4!.toFixed()).toBe('0.000010357142857142857143'); // 0.00029 / 28, 24 dp half-even
  });

  it('restates only the non-CO2 gases under another GWP set', () => {
    const p = prepareFactor(DIESEL, sets.get('AR6')!, sets);
    // 2.57082 + 0.00029 * (27.9/28 - 1) + 0.0329 * (273/265 - 1)
    // = 2.57082 - 0.0000010357142857... + 0.000993207547169811...
    expect(p.co2eMethod).toBe('published_total_gwp_restated');
    expect(p.co2ePerUnit.round(12).toFixed()).toBe('2.571812171833');
  });

  it('keeps a published total without gases under the source GWP set, and says so', () => {
    const wtt: EmissionFactor = { ...DIESEL, id: 'set:wtt', gases: {}, co2e: '0.61101' };
    expect(prepareFactor(wtt, sets.get('AR5')!, sets)).toMatchObject({ co2eMethod: 'published_total' });
    const p = prepareFactor(wtt, sets.get('AR6')!, sets);
    expect(p.co2eMethod).toBe('published_total_source_gwp');
    expect(p.co2ePerUnit.toFixed()).toBe('0.61101');
  });

  it('sums gas masses times GWPs for factors published as masses', () => {
    const p = prepareFactor(EPA_STYLE, sets.get('AR5')!, sets);
    expect(p.co2eMethod).toBe('sum_of_gases');
    expect(p.co2ePerUnit.toFixed()).toBe('53.1145'); // 53.06 + 0.028 + 0.0265
  });
});

describe('calculateActivities', () => {
  it('calculates exact kg CO2e and kg per gas with lineage', () => {
    const [r] = calc([{ id: '1', activityType: 'diesel', quantity: '1000', unit: 'litre' }]) as CalculatedResult[];
    expect(r).toMatchObject({
      status: 'calculated',
      factorId: 'set:diesel',
      co2eKg: '2570.82',
      gasKg: { CO2: '2537.63', CH4: '0.010357142857', N2O: '0.124150943396' },
      unitFrom: 'litre',
      unitTo: 'litre',
      unitMultiplier: '1',
      gwpSetId: 'AR5',
    });
  });

  it('converts units by definition and records the conversion', () => {
    const [m3, mwh] = calc([
      { id: '1', activityType: 'diesel', quantity: '2', unit: 'm3' },
      { id: '2', activityType: 'gas', quantity: '1.5', unit: 'MWh' },
    ]) as CalculatedResult[];
    expect(m3).toMatchObject({ co2eKg: '5141.64', unitFrom: 'm3', unitTo: 'litre', unitMultiplier: '1000' });
    expect(mwh).toMatchObject({ co2eKg: '274.44', unitMultiplier: '1000', unitAssumption: 'energy without a calorific-value basis taken as gross CV' });
  });

  it('says why a row is unmatched', () => {
    const out = calc([
      { id: '1', activityType: 'unobtainium', quantity: '1', unit: 'kg' },
      { id: '2', activityType: 'diesel', quantity: '1', unit: 'kWh' },
    ]);
    expect(out.map((r) => (r.status === 'calculated' ? r.status : r.reason))).toEqual(['NO_FACTOR_FOR_ACTIVITY_TYPE', 'UNIT_INCOMPATIBLE']);
    expect(out[1]).toMatchObject({ detail: 'activity unit "kWh" converts to none of the factor units: litre' });
  });

  it('is deterministic and independent of batch order and batching', () => {
    const acts: ActivityInput[] = Array.from({ length: 300 }, (_, i) => ({ id: String(i), activityType: ['diesel', 'gas', 'ng-mmbtu'][i % 3]!, quantity: `${i}.${i % 7}`, unit: ['litre', 'kWh', 'MMBtu'][i % 3]! }));
    const once = calc(acts, 'AR6');
    expect(calc(acts, 'AR6')).toEqual(once);
    const shuffled = [...acts].reverse();
    const byId = new Map(calc(shuffled, 'AR6').map((r) => [r.activityId, r]));
    for (const r of once) expect(byId.get(r.activityId)).toEqual(r);
    const halves = [...calc(acts.slice(0, 150), 'AR6'), ...calc(acts.slice(150), 'AR6')];
    expect(halves).toEqual(once);
  });
});
