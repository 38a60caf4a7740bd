import { describe, expect, it } from 'vitest';
import { prepareFactor } from '../calculation/prepareFactor.ts';
import { Big } from '../decimal.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { parseDesnzFlatFile } from './desnzFlatFile.ts';
import type { FactorSetMeta } from './emissionFactor.ts';
import {
  ashraeComponentSpecies,
  blendKey,
  checkAgainstPublished,
  desnzGasCandidates,
  desnzRefrigerantVariant,
  expandRefrigerant,
  isKyotoGas,
  parseBlendTable,
  refrigerantGases,
} from './refrigerants.ts';

// IPCC 100-year values as in the bundled openclimatedata table.
const set = (id: string, values: Record<string, string>): GwpSet => ({ id, name: id, horizonYears: 100, source: 'test', values });
const AR4 = set('AR4', { HFC134a: '1430', HFC32: '675', HFC125: '3500', HFC143a: '4470', HCFC22: '1810' });
const AR5 = set('AR5', { HFC134a: '1300', HFC32: '677', HFC125: '3170', HFC143a: '4800', HCFC22: '1760', HFC41: '116' });
const AR6 = set('AR6', { HFC134a: '1530', HFC32: '771', HFC125: '3740', HFC143a: '5810', HCFC22: '1960', HFC41: '135' });
const SETS = [AR4, AR5, AR6];
const sets = new Map(SETS.map((s) => [s.id, s]));

const row = (blend: string, component: string, mass_fraction: string) => ({ blend, component, mass_fraction, source: 'ASHRAE Standard 34' });
const TABLE = parseBlendTable([
  row('R-410A', 'R-32', '0.5'),
  row('R-410A', 'R-125', '0.5'),
  row('R-408A', 'R-125', '0.07'),
  row('R-408A', 'R-143a', '0.46'),
  row('R-408A', 'R-22', '0.47'),
  row('R-422D', 'R-125', '0.651'),
  row('R-422D', 'R-134a', '0.315'),
  row('R-422D', 'R-600a', '0.034'),
]);

const meta2025: FactorSetMeta = { id: 'desnz-2025', source: 'DESNZ', edition: '2025', publicationYear: 2025, licence: 'OGL-3.0', region: 'GB', gwpBasis: 'AR5' };
const KYOTO = 'Emissions including only Kyoto products';
const NON_KYOTO = 'Emissions including only non-Kyoto products';
const TOTAL = 'Total emissions including non-Kyoto products';
const desnz = (id: string, level2: string, level3: string, columnText: string, value: string) => ({
  ID: id,
  Scope: 'Scope 1',
  'Level 1': 'Refrigerant & other',
  'Level 2': level2,
  'Level 3': level3,
  'Level 4': '',
  'Column Text': columnText,
  UOM: 'kg',
  'GHG/Unit': 'kg CO2e',
  'GHG Conversion Factor 2025': value,
});
// As published in the 2025 flat file.
const RECORDS = [
  desnz('3_200_2024_3_1', 'Kyoto protocol products', 'HFC-134a', KYOTO, '1300.00000'),
  desnz('3_200_2025_3_1', 'Kyoto protocol products', 'HFC-134a', NON_KYOTO, ''),
  desnz('3_200_2026_3_1', 'Kyoto protocol products', 'HFC-134a', TOTAL, '1300.00000'),
  desnz('3_201_2147_3_1', 'Blends', 'R408A', KYOTO, '2430.00000'),
  desnz('3_201_2148_3_1', 'Blends', 'R408A', NON_KYOTO, '827.00000'),
  desnz('3_201_2149_3_1', 'Blends', 'R408A', TOTAL, '3257.00000'),
  desnz('3_201_2159_3_1', 'Blends', 'R410A', KYOTO, '1924.00000'),
  desnz('3_201_2161_3_1', 'Blends', 'R410A', TOTAL, '1924.00000'),
  desnz('3_201_2999_3_1', 'Blends', 'R999Z', TOTAL, '1000.00000'),
  desnz('3_200_2015_3_1', 'Kyoto protocol products', 'HFC-41', KYOTO, '116.00000'),
  desnz('3_202_2388_3_1', 'Montreal protocol products', 'HCFC-22/R22 = chlorodifluoromethane', NON_KYOTO, '1760.00000'),
  desnz('3_204_2472_3_1', 'Other products', 'R290 = propane', NON_KYOTO, '0.06000'),
];
const parsed = parseDesnzFlatFile(RECORDS, meta2025, { blends: TABLE, gwpSets: SETS });
const factor = (name: string, variant: string) => {
  const f = parsed.factors.find((x) => x.name.endsWith(` > ${name} > ${variant}`));
  if (!f) throw new Error(`no factor ${name} ${variant}`);
  return f;
};

describe('refrigerant composition table', () => {
  it('reads compositions with exact fractions and refuses a table that does not add up', () => {
    expect(TABLE.get('R410A')?.components).toEqual([
      { component: 'R-32', species: 'HFC32', fraction: '0.5' },
      { component: 'R-125', species: 'HFC125', fraction: '0.5' },
    ]);
    expect(() => parseBlendTable([row('R-1', 'R-32', '0.5'), row('R-1', 'R-125', '0.49')])).toThrow(/sum to 0.99, not 1/);
    expect(() => parseBlendTable([row('R-1', 'R-999', '1')])).toThrow(/unknown component "R-999"/);
    expect(() => parseBlendTable([row('R-1', 'R-32', 'half')])).toThrow(/not a decimal/);
    expect(() => parseBlendTable([row('R-1', 'R-32', '0.5'), row('R-1', 'R32', '0.5')])).toThrow(/appears twice/);
  });

  it('names ASHRAE components by their GWP-table species, HCFCs and CFCs included (normaliseGas reads every R-number as an HFC)', () => {
    expect(['R-22', 'R-12', 'R-124', 'R-218', 'R-C318', 'R-744', 'r134a', 'R-600a', 'R-1234ze(E)', 'R-31'].map(ashraeComponentSpecies)).toEqual([
      'HCFC22', 'CFC12', 'HCFC124', 'C3F8', 'cC4F8', 'CO2', 'HFC134a', null, null, undefined,
    ]);
    expect(['R-410A', 'R410a', 'R 410A'].map(blendKey)).toEqual(['R410A', 'R410A', 'R410A']);
  });

  it('reads DESNZ gas names, their typos and aliases', () => {
    expect(desnzGasCandidates('HFC-134a')).toEqual(['HFC134a']);
    expect(desnzGasCandidates('HFC-43-I0mee')).toEqual(['HFC4310mee']);
    expect(desnzGasCandidates('Perfluoromethane (PFC-14)')).toEqual(['CF4']);
    expect(desnzGasCandidates('Perfluorocyclobutane (PFC-318)')).toEqual(['cC4F8']);
    expect(desnzGasCandidates('Sulphur hexafluoride (SF6)')).toEqual(['SF6']);
    expect(desnzGasCandidates('CFC-11/R11 = trichlorofluoromethane')[0]).toBe('CFC11');
    expect(desnzGasCandidates('HCFC-22/R22 = chlorodifluoromethane')[0]).toBe('HCFC22');
    expect(desnzGasCandidates('HFE-449sl (HFE-7100)')).toEqual(['HFE449sl', 'HFE7100']);
    expect(desnzGasCandidates('Trifluoromethyl sulphur pentafluoride')).toEqual(['SF5CF3']);
    expect(desnzGasCandidates('R290 = propane')).not.toContain('HFC290');
  });

  it('splits the Kyoto basket from the rest', () => {
    expect(['CO2', 'CH4', 'N2O', 'HFC134a', 'CF4', 'C2F6', 'cC4F8', 'SF6', 'NF3'].every(isKyotoGas)).toBe(true);
    expect(['HCFC22', 'CFC11', 'Halon1301', 'HFE125', 'HCFE235da2', 'SF5CF3', 'CH3Br', 'PFPMIE'].some(isKyotoGas)).toBe(false);
    expect([KYOTO, NON_KYOTO, TOTAL, ''].map(desnzRefrigerantVariant)).toEqual(['kyoto', 'non-kyoto', 'total', 'total']);
  });

  it('expands a blend by variant; components without a GWP are counted apart, as negligible', () => {
    const r408a = TABLE.get('R408A')!.components;
    expect(expandRefrigerant(r408a, 'kyoto')).toEqual({ gases: { HFC125: '0.07', HFC143a: '0.46' }, negligible: '0' });
    expect(expandRefrigerant(r408a, 'non-kyoto')).toEqual({ gases: { HCFC22: '0.47' }, negligible: '0' });
    expect(expandRefrigerant(r408a, 'total')).toEqual({ gases: { HFC125: '0.07', HFC143a: '0.46', HCFC22: '0.47' }, negligible: '0' });
    const r422d = TABLE.get('R422D')!.components;
    expect(expandRefrigerant(r422d, 'kyoto')).toEqual({ gases: { HFC125: '0.651', HFC134a: '0.315' }, negligible: '0' });
    expect(expandRefrigerant(r422d, 'total')).toEqual({ gases: { HFC125: '0.651', HFC134a: '0.315' }, negligible: '0.034' });
  });

  it('checks an expansion against the published figure: 1%, or half a unit of DESNZ rounding, plus the negligible part', () => {
    const r410a = expandRefrigerant(TABLE.get('R410A')!.components, 'total');
    // 0.5 x 677 + 0.5 x 3170 = 1923.5: DESNZ 2023-2025 publish 1924
    expect(checkAgainstPublished('1924', r410a, AR5)).toEqual({ ok: true, implied: '1923.5', tolerance: '19.24' });
    expect(checkAgainstPublished('2088', r410a, AR4).ok).toBe(true);
    expect(checkAgainstPublished('2100', r410a, AR5).ok).toBe(false);
    expect(refrigerantGases({ components: TABLE.get('R410A')!.components, variant: 'total', published: '2500', basisId: 'AR5', gwpSets: SETS })).toEqual({
      ok: false,
      reason: 'gases x AR5 GWP give 1923.5, the source publishes 2500 (allowed difference 25)',
    });
  });
});

describe('DESNZ refrigerant rows as gas masses', () => {
  it('a pure gas is 1 kg of itself per kg leaked, with the published total kept', () => {
    expect(factor('HFC-134a', KYOTO)).toMatchObject({ id: 'desnz-2025:3_200_2024_3', gasBasis: 'mass', gases: { HFC134a: '1' }, co2e: '1300', gwpBasis: 'AR5', unit: 'kg' });
    expect(factor('HFC-134a', TOTAL).gases).toEqual({ HFC134a: '1' });
    expect(factor('HCFC-22/R22 = chlorodifluoromethane', NON_KYOTO)).toMatchObject({ gasBasis: 'mass', gases: { HCFC22: '1' }, co2e: '1760' });
  });

  it('10 kg of HFC-134a: 13000 kg CO2e under AR5 (published), 10 x 1530 under AR6 (sum of gases)', () => {
    const f = factor('HFC-134a', KYOTO);
    const ar5 = prepareFactor(f, AR5, sets);
    expect(ar5.co2eMethod).toBe('published_total');
    expect(ar5.co2ePerUnit.times(10).toFixed()).toBe('13000');
    const ar6 = prepareFactor(f, AR6, sets);
    expect(ar6.co2eMethod).toBe('sum_of_gases');
    expect(ar6.co2ePerUnit.times(10).toFixed()).toBe('15300');
    expect(ar6.gasMassPerUnit.HFC134a!.times(10).toFixed()).toBe('10');
    expect(prepareFactor(f, AR4, sets).co2ePerUnit.toFixed()).toBe('1430');
  });

  it('a blend is its mass fractions, each variant counting its own components, and Kyoto + non-Kyoto = total under any set', () => {
    expect(factor('R410A', TOTAL)).toMatchObject({ gasBasis: 'mass', gases: { HFC32: '0.5', HFC125: '0.5' }, co2e: '1924' });
    const k = factor('R408A', KYOTO);
    const n = factor('R408A', NON_KYOTO);
    const t = factor('R408A', TOTAL);
    expect([k.gases, n.gases, t.gases]).toEqual([{ HFC125: '0.07', HFC143a: '0.46' }, { HCFC22: '0.47' }, { HFC125: '0.07', HFC143a: '0.46', HCFC22: '0.47' }]);
    for (const gwp of SETS) {
      const [pk, pn, pt] = [k, n, t].map((f) => prepareFactor(f, gwp, sets).co2ePerUnit);
      if (gwp.id === 'AR5') expect([pk!.toFixed(), pn!.toFixed(), pt!.toFixed()]).toEqual(['2430', '827', '3257']);
      else expect(pk!.plus(pn!).eq(pt!)).toBe(true);
    }
    expect(prepareFactor(t, AR6, sets).co2ePerUnit.toFixed()).toBe(new Big('0.07').times(3740).plus(new Big('0.46').times(5810)).plus(new Big('0.47').times(1960)).toFixed());
  });

  it('keeps the published total, and says why, when the gases cannot be stated', () => {
    const byName = (name: string) => parsed.factors.find((f) => f.name.includes(name))!;
    expect(byName('R999Z')).toMatchObject({ gasBasis: 'co2e', gases: {}, co2e: '1000' });
    expect(byName('HFC-41')).toMatchObject({ gasBasis: 'co2e', gases: {} });
    expect(byName('R290')).toMatchObject({ gasBasis: 'co2e', gases: {} });
    expect(parsed.notes.map((n) => n.factorId)).toEqual(['desnz-2025:3_201_2999_3', 'desnz-2025:3_200_2015_3', 'desnz-2025:3_204_2472_3']);
    expect(parsed.notes[0]!.detail).toContain('no composition in the blend table');
    expect(parsed.notes[1]!.detail).toContain('HFC41 has no AR4 GWP');
    // Without GWP sets nothing changes, and the result says so once.
    const plain = parseDesnzFlatFile(RECORDS, meta2025);
    expect(plain.factors.every((f) => f.gasBasis === 'co2e' && Object.keys(f.gases).length === 0)).toBe(true);
    expect(plain.notes).toEqual([{ line: 0, factorId: '', detail: 'no GWP sets given: the 11 refrigerant factors stay published totals under AR5' }]);
  });
});
