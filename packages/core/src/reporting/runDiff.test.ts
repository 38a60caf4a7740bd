import { describe, expect, it } from 'vitest';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { attributeRunDiff, quantityPriced, type DiffActivity, type DiffResultLine } from './runDiff.ts';

const factor = (id: string, key: string, unit: string, gases: Record<string, string>, scope: 1 | 2 | 3 = 1): EmissionFactor => ({
  id, factorSetId: id.split(':')[0]!, activityKey: key, name: key, scope, category: `${scope} cat`, region: 'GB', year: 2024, unit, co2e: null, gasBasis: 'mass', gwpBasis: null, gases, sourceRef: id, sourceRows: [],
});
// Two editions of diesel, biodiesel, grid electricity, and a flight with its two published variants.
const F = [
  factor('e1:diesel', 'diesel', 'litres', { CO2: '2.5', CH4: '0.01' }),
  factor('e2:diesel', 'diesel', 'litres', { CO2: '2.6', CH4: '0.01' }),
  factor('e1:bio', 'biodiesel', 'litres', { CO2: '0.1', CH4: '0.01' }),
  factor('e1:grid', 'grid', 'kWh', { CO2: '0.2' }, 2),
  factor('e1:fl-rf', 'flights/short/with-rf', 'passenger.km', { CO2: '0.17' }, 3),
  factor('e1:fl', 'flights/short/without-rf', 'passenger.km', { CO2: '0.1' }, 3),
];
const factors = new Map(F.map((f) => [f.id, f]));
const gwpSets: GwpSet[] = [
  { id: 'G28', name: 'G28', horizonYears: 100, source: 't', values: { CO2: '1', CH4: '28' } },
  { id: 'G30', name: 'G30', horizonYears: 100, source: 't', values: { CO2: '1', CH4: '30' } },
];

const line = (factorId: string, co2eKg: string, gwpSetId: string, extra: Partial<DiffResultLine> = {}): DiffResultLine => {
  const f = factors.get(factorId)!;
  return {
    status: 'calculated', co2eKg, scope: f.scope, category: f.category, factorId, factorKey: f.activityKey, factorSetId: f.factorSetId, factorSource: f.factorSetId,
    unitFrom: f.unit, unitTo: f.unit, unitMultiplier: '1', matchMethod: 'direct', matchRuleId: null, method: null, gwpSetId, co2eMethod: 'sum_of_gases', co2eVariants: null, reason: null, ...extra,
  };
};
const rec = (quantity: string, unit: string) => ({ quantity, unit, amount: null, currency: null });

describe('run diff attribution', () => {
  it('splits a hand-computed difference into activity, mapping, factor and GWP effects that add up exactly', () => {
    const activities: DiffActivity<string>[] = [
      // new diesel edition (2.5 -> 2.6 kg CO2/l) and GWP CH4 28 -> 30, 100 l: 278 -> 288 (factor +10) -> 290 (GWP +2)
      { activityId: '1', weight: '1', record: rec('100', 'litres'), from: line('e1:diesel', '278', 'G28'), to: line('e2:diesel', '290', 'G30'), label: 'edition' },
      // quantity corrected 100 -> 120 l after the first run: 278 -> 333.6 (activity +55.6) -> 336 (GWP +2.4)
      { activityId: '2', weight: '1', record: rec('120', 'litres'), from: line('e1:diesel', '278', 'G28'), to: line('e1:diesel', '336', 'G30'), label: 'corrected' },
      // a mapping rule now sends the row to biodiesel: 139 -> 19 (mapping -120) -> 20 (GWP +1)
      {
        activityId: '3', weight: '1', record: rec('50', 'litres'),
        from: line('e1:diesel', '139', 'G28', { matchMethod: 'rule', matchRuleId: 'r1' }), to: line('e1:bio', '20', 'G30', { matchMethod: 'rule', matchRuleId: 'r2' }), label: 'remapped',
      },
      { activityId: '4', weight: '1', record: null, from: line('e1:grid', '200', 'G28'), to: null, label: 'removed' },
      { activityId: '5', weight: '1', record: rec('500', 'kWh'), from: null, to: line('e1:grid', '100', 'G30'), label: 'added' },
      { activityId: '6', weight: '1', record: rec('10', 'litres'), from: line('e1:diesel', '27.8', 'G28'), to: line('e1:diesel', '27.8', 'G28'), label: 'unchanged' },
    ];
    const d = attributeRunDiff({ from: { runId: 'a', gwpSetId: 'G28', radiativeForcing: 'with' }, to: { runId: 'b', gwpSetId: 'G30', radiativeForcing: 'with' }, activities, factors, gwpSets });
    expect(d.totals).toEqual({ from: '922.8', to: '773.8', change: '-149', effects: { activity: '-44.4', mapping: '-120', factor: '10', method: '5.4' } });
    expect(d.order).toEqual(['activity', 'mapping', 'factor', 'method']);
    expect(d.byScope).toEqual([
      { scope: 1, from: '722.8', to: '673.8', change: '-49', effects: { activity: '55.6', mapping: '-120', factor: '10', method: '5.4' } },
      { scope: 2, from: '200', to: '100', change: '-100', effects: { activity: '-100', mapping: '0', factor: '0', method: '0' } },
    ]);
    expect(d.activities).toEqual({ total: 6, added: 1, removed: 1, changed: 3, unchanged: 1 });
    expect(d.lines.map((l) => [l.label, l.co2eKg.change, l.effects])).toEqual([
      ['removed', '-200', { activity: '-200', mapping: '0', factor: '0', method: '0' }],
      ['remapped', '-119', { activity: '0', mapping: '-120', factor: '0', method: '1' }],
      ['added', '100', { activity: '100', mapping: '0', factor: '0', method: '0' }],
      ['corrected', '58', { activity: '55.6', mapping: '0', factor: '0', method: '2.4' }],
      ['edition', '12', { activity: '0', mapping: '0', factor: '10', method: '2' }],
    ]);
    expect(d.lines.find((l) => l.label === 'remapped')!.drivers).toEqual({ activity: null, mapping: ['factor_key', 'match_rule'], factor: false, method: ['gwp_set'] });
    expect(d.lines.find((l) => l.label === 'edition')!.drivers).toEqual({ activity: null, mapping: [], factor: true, method: ['gwp_set'] });
    expect(d.lines.find((l) => l.label === 'corrected')!.drivers.activity).toBe('quantity');
  });

  it('weights by ownership, moves a row between scopes, and counts a row calculated in one run only as mapping', () => {
    const d = attributeRunDiff({
      from: { runId: 'a', gwpSetId: 'G28', radiativeForcing: 'with' },
      to: { runId: 'b', gwpSetId: 'G28', radiativeForcing: 'with' },
      factors, gwpSets,
      activities: [
        // 60% owned, 1000 kWh first priced with a scope-1 factor (278), then mapped to grid electricity (200)
        { activityId: '1', weight: '0.6', record: rec('1000', 'kWh'), from: line('e1:diesel', '278', 'G28', { unitFrom: 'kWh', unitMultiplier: '0.1' }), to: line('e1:grid', '200', 'G28', { unitFrom: 'kWh' }) },
        // now unmatched (no factor for it in the second run)
        { activityId: '2', weight: '1', record: rec('10', 'litres'), from: line('e1:diesel', '27.8', 'G28'), to: { ...line('e1:diesel', '0', 'G28'), status: 'unmatched', co2eKg: null, factorId: null, factorKey: null, scope: null, reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE' } },
      ],
    });
    // row 1: 278 x 0.6 = 166.8 leaves scope 1, 200 x 0.6 = 120 arrives in scope 2, all mapping
    expect(d.byScope).toEqual([
      { scope: 1, from: '194.6', to: '0', change: '-194.6', effects: { activity: '0', mapping: '-194.6', factor: '0', method: '0' } },
      { scope: 2, from: '0', to: '120', change: '120', effects: { activity: '0', mapping: '120', factor: '0', method: '0' } },
    ]);
    expect(d.totals).toEqual({ from: '194.6', to: '120', change: '-74.6', effects: { activity: '0', mapping: '-74.6', factor: '0', method: '0' } });
    expect(d.lines[1]!.drivers.mapping).toEqual(['calculated_in_one_run']);
  });

  it('counts a change of radiative-forcing option as method, though the flight factor key differs', () => {
    const d = attributeRunDiff({
      from: { runId: 'a', gwpSetId: 'G28', radiativeForcing: 'with' },
      to: { runId: 'b', gwpSetId: 'G28', radiativeForcing: 'without' },
      factors, gwpSets,
      activities: [{
        activityId: '1', weight: '1', record: rec('1000', 'km'),
        from: line('e1:fl-rf', '170', 'G28', { method: 'air-travel', unitFrom: 'km', co2eVariants: { with_rf: '170', without_rf: '100' } }),
        to: line('e1:fl', '100', 'G28', { method: 'air-travel', unitFrom: 'km', co2eVariants: { with_rf: '170', without_rf: '100' } }),
      }],
    });
    expect(d.totals.effects).toEqual({ activity: '0', mapping: '0', factor: '0', method: '-70' });
    expect(d.lines[0]!.drivers).toEqual({ activity: null, mapping: [], factor: false, method: ['radiative_forcing'] });
  });

  it('prices spend lines by their amount when the factor is per currency unit', () => {
    expect(quantityPriced({ quantity: '3', unit: 'tonne', amount: '1200', currency: 'USD' }, 'USD')).toBe('1200');
    expect(quantityPriced({ quantity: '3', unit: 'tonne', amount: '1200', currency: 'USD' }, 'tonne')).toBe('3');
    expect(quantityPriced({ quantity: '1200', unit: 'USD', amount: '1200', currency: 'USD' }, 'USD')).toBe('1200');
  });

  it('refuses to price a factor it was not given', () => {
    expect(() =>
      attributeRunDiff({
        from: { runId: 'a', gwpSetId: 'G28', radiativeForcing: 'with' }, to: { runId: 'b', gwpSetId: 'G28', radiativeForcing: 'with' }, factors: new Map(), gwpSets,
        activities: [{ activityId: '1', weight: '1', record: rec('1', 'litres'), from: line('e1:diesel', '2.78', 'G28'), to: line('e1:diesel', '2.78', 'G28') }],
      }),
    ).toThrow(/not loaded/);
  });
});
