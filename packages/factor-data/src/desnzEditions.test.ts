import { prepareFactor, type EmissionFactor } from '@tally/core';
import { describe, expect, it } from 'vitest';
import { BUNDLED_FACTOR_SETS, loadBundledFactorSet, loadBundledGwpSets } from './index.ts';

const byKey = (factors: EmissionFactor[], key: string, unit: string) => factors.find((f) => f.activityKey === key && f.unit === unit);

describe('DESNZ/Defra editions 2016-2025 (every layout change and data trap, on purpose)', () => {
  it('bundles ten editions, AR4-based before 2023 and AR5-based from 2023', () => {
    expect(BUNDLED_FACTOR_SETS.filter((s) => s.kind === 'desnz').map((s) => `${s.meta.id}:${s.meta.gwpBasis}`)).toEqual([
      'desnz-2016:AR4', 'desnz-2017:AR4', 'desnz-2018:AR4', 'desnz-2019:AR4', 'desnz-2020:AR4',
      'desnz-2021:AR4', 'desnz-2022:AR4', 'desnz-2023:AR5', 'desnz-2024:AR5', 'desnz-2025:AR5',
    ]);
  });

  it('reads every edition by header name, keeps (key, unit, region) unique and accounts for every row', async () => {
    const expected: Record<string, Record<string, number>> = {
      'desnz-2016': { NO_VALUE: 504, NOT_A_NUMBER: 2 },
      'desnz-2020': { NO_VALUE: 853, NOT_A_NUMBER: 2, ENERGY_CONVERSION_ROW: 514, END_MARKER: 1 },
      'desnz-2022': { NO_VALUE: 1055, NOT_A_NUMBER: 4, ENERGY_CONVERSION_ROW: 514 },
      'desnz-2023': { NO_VALUE: 1047, ENERGY_CONVERSION_ROW: 514 },
    };
    for (const { meta } of BUNDLED_FACTOR_SETS.filter((s) => s.kind === 'desnz')) {
      const { result } = await loadBundledFactorSet(meta.id);
      const keys = result.factors.map((f) => `${f.activityKey}|${f.unit}|${f.region}`);
      expect(new Set(keys).size, meta.id).toBe(keys.length);
      expect(result.factors.length, meta.id).toBeGreaterThan(2000);
      const reasons: Record<string, number> = {};
      for (const s of result.skipped) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
      expect(reasons.UNKNOWN_GHG ?? 0, meta.id).toBe(0);
      expect(reasons.UNKNOWN_UNIT ?? 0, meta.id).toBe(0);
      if (expected[meta.id]) expect(reasons, meta.id).toEqual(expected[meta.id]);
    }
  });

  it('2016-2021 "kg CH4"/"kg N2O" columns hold CO2e, not gas mass (Butane: 2021 kg CH4 = 2022 kg CO2e of CH4)', async () => {
    // Column Text "Tonnes" (2016-2021) restates the unit, so the key is the same in every edition
    const f2019 = byKey((await loadBundledFactorSet('desnz-2021')).result.factors, 'fuels/gaseous-fuels/butane', 'tonne')!;
    const f2022 = byKey((await loadBundledFactorSet('desnz-2022')).result.factors, 'fuels/gaseous-fuels/butane', 'tonne')!;
    expect(f2019.sourceRows.find((r) => r.ghg === 'kg CH4')?.value).toBe('2.25');
    expect(f2019.gases.CH4).toBe('2.25');
    expect(f2022.gases.CH4).toBe('2.25');
    expect(f2019.gasBasis).toBe('co2e');
    // so the CH4 mass is 2.25 kg CO2e / 25 (AR4) = 0.09 kg per tonne, not 2.25 kg
    const sets = new Map((await loadBundledGwpSets()).map((s) => [s.id, s]));
    expect(prepareFactor(f2019, sets.get('AR4')!, sets).gasMassPerUnit.CH4!.toFixed()).toBe('0.09');
  });

  it('"< 1" refrigerant values are bounds, kept out of the library with a reason', async () => {
    const { result } = await loadBundledFactorSet('desnz-2019');
    const bounds = result.skipped.filter((s) => s.reason === 'NOT_A_NUMBER');
    expect(bounds.map((s) => s.line)).toEqual([537, 538]);
    expect(bounds[0]!.detail).toContain('"< 1" is an upper bound');
    expect(result.factors.some((f) => /r1234yf/.test(f.activityKey))).toBe(false);
  });

  it('the stray backtick of 2020 and 2021 sits on an SECR kWh row, which is not a factor', async () => {
    for (const [id, line] of [['desnz-2020', 7497], ['desnz-2021', 7594]] as const) {
      const { result } = await loadBundledFactorSet(id);
      const row = result.skipped.find((s) => s.line === line);
      expect(row, id).toMatchObject({ reason: 'ENERGY_CONVERSION_ROW' });
      expect(row!.detail, id).toContain('stray backtick');
    }
  });

  it('2022 has no ID column: factors are identified by their source line, stably', async () => {
    const a = (await loadBundledFactorSet('desnz-2022')).result.factors;
    const b = (await loadBundledFactorSet('desnz-2022')).result.factors;
    expect(a.map((f) => f.id)).toEqual(b.map((f) => f.id));
    expect(a[0]!.id).toMatch(/^desnz-2022:line-\d+$/);
  });

  it('UK grid electricity moves edition by edition as published', async () => {
    const grid: Record<string, string | null | undefined> = {};
    for (const id of ['desnz-2019', 'desnz-2022', 'desnz-2023', 'desnz-2024', 'desnz-2025']) {
      grid[id] = byKey((await loadBundledFactorSet(id)).result.factors, 'uk-electricity/electricity-generated/electricity-uk', 'kWh')?.co2e;
    }
    expect(grid).toEqual({ 'desnz-2019': '0.2556', 'desnz-2022': '0.19338', 'desnz-2023': '0.207074288590604', 'desnz-2024': '0.20705', 'desnz-2025': '0.177' });
    // 2022's stray Level 4 year is recorded, not silently dropped
    const { result } = await loadBundledFactorSet('desnz-2022');
    expect(result.cleaned!.filter((c) => c.original === 'Level 4 "2020"')).toHaveLength(29);
  });
});
