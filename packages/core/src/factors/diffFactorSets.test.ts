import { describe, expect, it } from 'vitest';
import { diffFactorSets } from './diffFactorSets.ts';
import type { EmissionFactor } from './emissionFactor.ts';

const f = (set: string, key: string, unit: string, co2e: string | null, gases: Record<string, string> = {}): EmissionFactor => ({
  id: `${set}:${key}:${unit}`, factorSetId: set, activityKey: key, name: key, scope: 1, category: 'c', region: 'GB', year: 2025, unit, co2e,
  gasBasis: 'co2e', gwpBasis: 'AR5', gases, sourceRef: key, sourceRows: [],
});

describe('diffFactorSets', () => {
  it('reports appeared, disappeared and changed factors, largest relative moves first', () => {
    const a = [f('a', 'grid', 'kWh', '0.20705', { CO2: '0.2' }), f('a', 'diesel', 'litre', '2.51279'), f('a', 'old', 'kg', '1'), f('a', 'same', 'kg', '3.10')];
    const b = [f('b', 'grid', 'kWh', '0.177', { CO2: '0.17' }), f('b', 'diesel', 'litre', '2.57082'), f('b', 'new', 'kg', '2'), f('b', 'same', 'kg', '3.1')];
    const d = diffFactorSets('a', a, 'b', b);
    expect(d.appeared.map((x) => x.activityKey)).toEqual(['new']);
    expect(d.disappeared.map((x) => x.activityKey)).toEqual(['old']);
    expect(d.unchanged).toBe(1);
    expect(d.changed.map((c) => [c.activityKey, c.fromCo2e, c.co2e, c.delta, c.relative, c.gasesChanged])).toEqual([
      ['grid', '0.20705', '0.177', '-0.03005', '-0.145134', ['CO2']],
      ['diesel', '2.51279', '2.57082', '0.05803', '0.023094', []],
    ]);
  });

  it('matches regional factors by region, and a series by year, never an edition by its own year', () => {
    const f = (set: string, region: string, year: number, co2e: string): EmissionFactor => ({
      id: `${set}:${region}:${year}`, factorSetId: set, activityKey: 'grid', name: 'grid', scope: 2, category: '2', region, year, unit: 'kWh', co2e, gasBasis: 'co2e', gwpBasis: 'AR5', gases: {}, sourceRef: '', sourceRows: [],
    });
    const a = [f('a', 'FR', 2023, '0.05'), f('a', 'FR', 2024, '0.04'), f('a', 'DE', 2024, '0.38')];
    const b = [f('b', 'FR', 2023, '0.05'), f('b', 'FR', 2024, '0.041'), f('b', 'PL', 2024, '0.66')];
    const d = diffFactorSets('a', a, 'b', b);
    expect(d.unchanged).toBe(1);
    expect(d.changed.map((c) => `${c.region} ${c.year} ${c.relative}`)).toEqual(['FR 2024 0.025']);
    expect(d.appeared.map((c) => c.region)).toEqual(['PL']);
    expect(d.disappeared.map((c) => c.region)).toEqual(['DE']);
    // one factor per place in each edition: the editions' years differ, the factor is the same
    const e = diffFactorSets('x', [f('x', 'GB', 2024, '0.2')], 'y', [f('y', 'GB', 2025, '0.177')]);
    expect(e.changed).toHaveLength(1);
    expect(e.changed[0]!.year).toBeUndefined();
  });
});
