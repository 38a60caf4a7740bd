import { Big, isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import { findUnit } from '../units/convertUnit.ts';
import type { EmissionFactor, FactorSetMeta, Scope, SourceRow } from './emissionFactor.ts';

/**
 * Reads the DESNZ/Defra "flat file" (sheet "Factors by Category", one row per gas) into factors,
 * one per (category path, unit). Columns are mapped by header name because the layout changed
 * across editions (2016-2025). Every row that does not become part of a factor is reported with
 * its reason; none is dropped silently.
 */
export interface DesnzSkippedRow {
  line: number;
  reason: 'ENERGY_CONVERSION_ROW' | 'NO_VALUE' | 'NOT_A_NUMBER' | 'UNKNOWN_UNIT' | 'UNKNOWN_GHG' | 'END_MARKER';
  detail: string;
}

export interface DesnzParseResult {
  factors: EmissionFactor[];
  skipped: DesnzSkippedRow[];
  /** Values we cleaned on purpose (for example a stray backtick), with the original text. */
  cleaned: { line: number; original: string; value: string }[];
}

type Gas = 'total' | 'CO2' | 'CH4' | 'N2O';

const YEAR = /^(19|20)\d\d$/;
const UNIT_KIND = /^(energy( - (gross|net) cv)?|volume|mass|tonnes)$/i;

/** 2016-2021 label the non-CO2 columns "kg CH4"/"kg N2O" but the numbers are CO2e (see SOURCE.md). */
function ghgColumn(ghg: string): Gas | 'energy' | undefined {
  const g = ghg.trim().toLowerCase();
  if (g === 'kg co2e') return 'total';
  if (/^kg co2e of co2( per unit)?$/.test(g) || g === 'kg co2') return 'CO2';
  if (/^kg co2e of ch4( per unit)?$/.test(g) || g === 'kg ch4') return 'CH4';
  if (/^kg co2e of n2o( per unit)?$/.test(g) || g === 'kg n2o') return 'N2O';
  if (g.startsWith('kwh')) return 'energy';
  return undefined;
}

export function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const SCOPE3_CATEGORY: ReadonlyArray<[RegExp, string]> = [
  [/^(wtt- |transmission and distribution|uk electricity t&d)/i, '3.3 Fuel- and energy-related activities'],
  [/^(water supply|material use)/i, '3.1 Purchased goods and services'],
  [/^(water treatment|waste disposal)/i, '3.5 Waste generated in operations'],
  [/^(business travel|hotel stay)/i, '3.6 Business travel'],
  [/^freighting goods/i, '3.4 Upstream transportation and distribution'],
  [/^managed assets/i, '3.8 Upstream leased assets'],
  [/^homeworking/i, '3.7 Employee commuting'],
];

function scopeAndCategory(scopeText: string, level1: string, level2: string): { scope: Scope | null; category: string } {
  const s = scopeText.trim().toLowerCase();
  if (s === 'scope 1') {
    if (/refrigerant/i.test(level1)) return { scope: 1, category: '1 Fugitive emissions' };
    if (/vehicles/i.test(level1)) return { scope: 1, category: '1 Mobile combustion' };
    return { scope: 1, category: '1 Stationary combustion' };
  }
  if (s === 'scope 2') {
    if (/heat and steam/i.test(level1)) return { scope: 2, category: '2 Purchased heat and steam' };
    return { scope: 2, category: '2 Purchased electricity' };
  }
  if (s === 'scope 3') {
    // WTT of business travel belongs with the travel itself (GHG Protocol cat 6), not with cat 3.
    if (/^wtt- (business travel|pass vehs)/i.test(level1)) return { scope: 3, category: '3.6 Business travel' };
    if (/^wtt- delivery vehs/i.test(level1)) return { scope: 3, category: '3.4 Upstream transportation and distribution' };
    for (const [re, cat] of SCOPE3_CATEGORY) if (re.test(level1) || re.test(level2)) return { scope: 3, category: cat };
    return { scope: 3, category: '3 Other' };
  }
  return { scope: null, category: 'Outside of scopes' };
}

function pick(record: Record<string, string>, ...names: string[]): string {
  for (const n of names) {
    const v = record[n];
    if (v !== undefined) return v;
  }
  return '';
}

export function parseDesnzFlatFile(records: Record<string, string>[], meta: FactorSetMeta, firstDataLine = 2): DesnzParseResult {
  const first = records[0];
  if (!first) throw new CoreError('FACTORS.EMPTY_FILE', `DESNZ file for ${meta.id} has no data rows`);
  const valueColumn = Object.keys(first).find((k) => /^GHG Conversion Factor/i.test(k.trim()));
  if (!valueColumn) throw new CoreError('FACTORS.BAD_HEADER', 'DESNZ file has no "GHG Conversion Factor YYYY" column', { columns: Object.keys(first) });
  const ghgKey = 'GHG/Unit' in first ? 'GHG/Unit' : 'GHG';

  const skipped: DesnzSkippedRow[] = [];
  const cleaned: DesnzParseResult['cleaned'] = [];
  const groups = new Map<string, { factor: EmissionFactor; ids: string[] }>();

  records.forEach((r, i) => {
    const line = firstDataLine + i;
    const ghg = pick(r, ghgKey);
    const column = ghgColumn(ghg);
    // SECR rows convert distance or fuel to kWh for energy reporting. In 2020 and 2021 one of them
    // carries a stray backtick instead of "kWh" in its GHG column (a source typo).
    if (/^SECR kWh/i.test(pick(r, 'Level 1').trim())) {
      skipped.push({ line, reason: 'ENERGY_CONVERSION_ROW', detail: ghg.trim() === '`' ? 'SECR kWh conversion row (GHG column holds a stray backtick, a source typo)' : `SECR kWh conversion row ("${ghg}"); not an emission factor` });
      return;
    }
    if (pick(r, 'Level 1').trim() === 'END') {
      skipped.push({ line, reason: 'END_MARKER', detail: 'the sheet\'s END marker row (left in the 2020 export)' });
      return;
    }
    if (column === 'energy') {
      skipped.push({ line, reason: 'ENERGY_CONVERSION_ROW', detail: `"${ghg}" converts activity to kWh; it is not an emission factor` });
      return;
    }
    let raw = pick(r, valueColumn).trim();
    if (raw === '') {
      skipped.push({ line, reason: 'NO_VALUE', detail: 'blank: the source gives no factor' });
      return;
    }
    if (column === undefined) {
      skipped.push({ line, reason: 'UNKNOWN_GHG', detail: `unrecognised GHG column "${ghg}"` });
      return;
    }
    if (raw.includes('`')) {
      const stripped = raw.replace(/`/g, '');
      cleaned.push({ line, original: raw, value: stripped });
      raw = stripped;
    }
    if (/^<\s*\d/.test(raw)) {
      // 2016-2022 publish some refrigerant GWPs (R1234yf, R1234ze) as "< 1": a bound, not a value.
      skipped.push({ line, reason: 'NOT_A_NUMBER', detail: `value "${raw}" is an upper bound, not a factor; kept out of the library` });
      return;
    }
    if (!isDecimalString(raw)) {
      skipped.push({ line, reason: 'NOT_A_NUMBER', detail: `value "${raw}" is not an exact number (published text kept out of the library)` });
      return;
    }
    const uom = pick(r, 'UOM').trim();
    const unit = findUnit(uom);
    if (!unit) {
      skipped.push({ line, reason: 'UNKNOWN_UNIT', detail: `unit "${uom}" is not in the unit table` });
      return;
    }
    const levels = [pick(r, 'Level 1'), pick(r, 'Level 2'), pick(r, 'Level 3'), pick(r, 'Level 4'), pick(r, 'Column Text')].map((s) => s.trim());
    // 2022 puts a bare year ("2020") in Level 4 of its electricity and heat rows, where other
    // editions repeat the unit: it names no variant, so it stays out of the key (and is recorded).
    if (YEAR.test(levels[3] ?? '')) {
      cleaned.push({ line, original: `Level 4 "${levels[3]}"`, value: '(not part of the factor key)' });
      levels[3] = '';
    }
    // 2016-2021 restate the unit's kind in Column Text ("Energy - Gross CV", "Volume", "Tonnes").
    if (UNIT_KIND.test(levels[4] ?? '')) levels[4] = '';
    const pathParts = levels.filter((p) => p !== '' && p.toLowerCase() !== uom.toLowerCase());
    const activityKey = pathParts.map(slugify).join('/');
    const groupKey = `${pick(r, 'Scope').trim()}|${activityKey}|${unit.code}`;
    const id = pick(r, 'ID').trim() || null;
    let g = groups.get(groupKey);
    if (!g) {
      const { scope, category } = scopeAndCategory(pick(r, 'Scope'), levels[0] ?? '', levels[1] ?? '');
      g = {
        ids: [],
        factor: {
          id: '',
          factorSetId: meta.id,
          activityKey,
          name: pathParts.join(' > '),
          scope,
          category,
          region: meta.region,
          year: meta.publicationYear,
          unit: unit.code,
          co2e: null,
          gasBasis: 'co2e',
          gwpBasis: meta.gwpBasis,
          gases: {},
          sourceRef: '',
          sourceRows: [],
        },
      };
      groups.set(groupKey, g);
    }
    const value = normaliseNumber(raw);
    if (column === 'total') g.factor.co2e = value;
    else g.factor.gases[column] = value;
    const row: SourceRow = { line, id, ghg, value: raw };
    g.factor.sourceRows.push(row);
    if (id) g.ids.push(id);
  });

  const factors: EmissionFactor[] = [];
  for (const { factor, ids } of groups.values()) {
    if (factor.co2e === null && Object.keys(factor.gases).length === 0) continue;
    // DESNZ ids end in a gas index (_1 total, _2 CO2 ...); the common stem names the factor.
    const stem = ids.length > 0 ? commonStem(ids) : `line-${factor.sourceRows[0]?.line ?? 0}`;
    factor.sourceRef = stem;
    factor.id = `${meta.id}:${stem}`;
    factors.push(factor);
  }
  return { factors, skipped, cleaned };
}

function commonStem(ids: string[]): string {
  const first = ids[0] ?? '';
  const parts = first.split('_');
  const stem = parts.length > 1 ? parts.slice(0, -1).join('_') : first;
  return ids.every((i) => i.startsWith(stem)) ? stem : first;
}

/** "3029.26000" and "3029.26" are the same factor: keep one canonical spelling. */
function normaliseNumber(raw: string): string {
  let s = raw.trim();
  if (/[eE]/.test(s)) return new Big(s).toFixed();
  if (s.startsWith('+')) s = s.slice(1);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s.startsWith('.')) s = '0' + s;
  if (s.startsWith('-.')) s = '-0' + s.slice(1);
  return s === '' || s === '-0' ? '0' : s;
}
