import { Big, isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { findUnit } from '../units/convertUnit.ts';
import { hotelRegion, HOTEL_STAY_KEY, type CountryCodeLookup } from './desnzHotels.ts';
import type { EmissionFactor, FactorSetMeta, Scope, SourceRow } from './emissionFactor.ts';
import { blendKey, desnzGasCandidates, desnzRefrigerantVariant, refrigerantGases, type BlendTable, type RefrigerantComponent } from './refrigerants.ts';

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
  /**
   * Values we cleaned on purpose (for example a stray backtick), with the original text; also the
   * hotel-stay countries that have no ISO code and so keep a per-country key.
   */
  cleaned: { line: number; original: string; value: string }[];
  /** Factors used as published that could not be made richer, and why (refrigerants left as published totals). */
  notes: { line: number; factorId: string; detail: string }[];
}

export interface DesnzParseOptions {
  /** Line number of the first data record (the header is line 1). */
  firstDataLine?: number;
  /**
   * Country name (English) -> ISO 3166-1 alpha-2, for the hotel-stay rows, e.g. i18n-iso-countries'
   * getAlpha2Code(name, 'en'). DESNZ spellings it misses are in DESNZ_HOTEL_COUNTRIES.
   */
  countryCode?: CountryCodeLookup;
  /** Refrigerant blend compositions: blend rows found here are stated as gas masses. */
  blends?: BlendTable;
  /**
   * The GWP sets a run may use. Refrigerant rows are stated as gas masses only when every one of
   * these sets has a GWP for each gas and the source's own set reproduces the published figure.
   */
  gwpSets?: readonly GwpSet[];
}

interface RefrigerantRow {
  line: number;
  group: string;
  name: string;
  columnText: string;
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

/**
 * Hotel stays become one key, HOTEL_STAY_KEY, with the country as the factor's region (ISO 3166-1
 * alpha-2; London GB-LND); refrigerant and other fugitive gases become gas masses (1 kg of the gas
 * per kg leaked, or a blend's mass fractions) where options.gwpSets and options.blends allow.
 */
export function parseDesnzFlatFile(records: Record<string, string>[], meta: FactorSetMeta, options: number | DesnzParseOptions = {}): DesnzParseResult {
  const opts: DesnzParseOptions = typeof options === 'number' ? { firstDataLine: options } : options;
  const firstDataLine = opts.firstDataLine ?? 2;
  const first = records[0];
  if (!first) throw new CoreError('FACTORS.EMPTY_FILE', `DESNZ file for ${meta.id} has no data rows`);
  const valueColumn = Object.keys(first).find((k) => /^GHG Conversion Factor/i.test(k.trim()));
  if (!valueColumn) throw new CoreError('FACTORS.BAD_HEADER', 'DESNZ file has no "GHG Conversion Factor YYYY" column', { columns: Object.keys(first) });
  const ghgKey = 'GHG/Unit' in first ? 'GHG/Unit' : 'GHG';

  const skipped: DesnzSkippedRow[] = [];
  const cleaned: DesnzParseResult['cleaned'] = [];
  const notes: DesnzParseResult['notes'] = [];
  const groups = new Map<string, { factor: EmissionFactor; ids: string[]; refrigerant?: RefrigerantRow }>();

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
    let activityKey = pathParts.map(slugify).join('/');
    let region = meta.region;
    // Hotel stays: one key, the country as the region (see desnzHotels.ts).
    if (pathParts.length === 3 && /^hotel stay$/i.test(pathParts[0]!) && /^hotel stay$/i.test(pathParts[1]!)) {
      const country = pathParts[2]!;
      const h = hotelRegion(country, opts.countryCode);
      if (h.region !== null) {
        region = h.region;
        activityKey = HOTEL_STAY_KEY;
      } else {
        cleaned.push({ line, original: `Hotel stay country "${country}"`, value: `kept as ${activityKey} in ${meta.region}: ${h.reason}` });
      }
    }
    const groupKey = `${pick(r, 'Scope').trim()}|${activityKey}|${unit.code}|${region}`;
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
          region,
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
      if (/^refrigerant/i.test(levels[0] ?? '')) g.refrigerant = { line, group: levels[1] ?? '', name: levels[2] ?? '', columnText: levels[4] ?? '' };
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
  let refrigerants = 0;
  for (const { factor, ids, refrigerant } of groups.values()) {
    if (factor.co2e === null && Object.keys(factor.gases).length === 0) continue;
    // DESNZ ids end in a gas index (_1 total, _2 CO2 ...); the common stem names the factor.
    const stem = ids.length > 0 ? commonStem(ids) : `line-${factor.sourceRows[0]?.line ?? 0}`;
    factor.sourceRef = stem;
    factor.id = `${meta.id}:${stem}`;
    if (refrigerant) {
      refrigerants++;
      const detail = opts.gwpSets ? refrigerantAsGases(factor, refrigerant, opts.blends, opts.gwpSets) : undefined;
      if (detail) notes.push({ line: refrigerant.line, factorId: factor.id, detail });
    }
    factors.push(factor);
  }
  if (refrigerants > 0 && !opts.gwpSets) {
    notes.push({ line: 0, factorId: '', detail: `no GWP sets given: the ${refrigerants} refrigerant factors stay published totals under ${meta.gwpBasis}` });
  }
  return { factors, skipped, cleaned, notes };
}

/**
 * States a "Refrigerant & other" factor (kg CO2e per kg leaked, a published total only) as the gas
 * masses one kg of it is: 1 kg of a pure gas, or a blend's mass fractions (only the components the
 * variant counts: Kyoto, non-Kyoto or total). The published total stays, so a run under the
 * source's GWP set uses it; a run under another set weighs the gases. Returns why not, otherwise.
 */
function refrigerantAsGases(factor: EmissionFactor, row: RefrigerantRow, blends: BlendTable | undefined, gwpSets: readonly GwpSet[]): string | undefined {
  if (factor.co2e === null || Object.keys(factor.gases).length > 0 || factor.unit !== 'kg') return `not a single kg CO2e per kg value`;
  const variant = desnzRefrigerantVariant(row.columnText);
  if (!variant) return `unrecognised variant "${row.columnText}"`;
  let components: RefrigerantComponent[];
  if (/blend/i.test(row.group)) {
    const c = blends?.get(blendKey(row.name));
    if (!c) return `blend ${row.name}: no composition in the blend table; used as published under ${factor.gwpBasis ?? 'the source GWP set'}`;
    components = c.components;
  } else {
    const candidates = desnzGasCandidates(row.name);
    const species = candidates.find((g) => g === 'CO2' || gwpSets.every((s) => s.values[g] !== undefined));
    if (!species) {
      const first = candidates[0];
      if (!first) return `${row.name}: not a gas of the GWP table; used as published`;
      const missing = gwpSets.filter((s) => s.values[first] === undefined).map((s) => s.id);
      return `${row.name}: ${candidates.join(' or ')} has no ${missing.join(', ')} GWP in the GWP table; used as published`;
    }
    components = [{ component: row.name, species, fraction: '1' }];
  }
  const r = refrigerantGases({ components, variant, published: factor.co2e, basisId: factor.gwpBasis, gwpSets });
  if (!r.ok) return `${row.name} (${variant}): ${r.reason}; used as published`;
  factor.gasBasis = 'mass';
  factor.gases = r.gases;
  return undefined;
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
