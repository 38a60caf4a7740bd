import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { categoryProfileOf, EXAMPLE_SOURCE, type CategoryProfile, type CodePrior, type EmissionFactor, type LexiconEntry, type MatchBoundary } from '@tally/core';
import { DATA_DIR } from './dataDir.ts';
import { loadBundledFactorSet } from './index.ts';

/** The matching data shipped in data/matching (each folder has its SOURCE.md and licence). */
export const MATCHING_DIR = `${DATA_DIR}matching/`;
const CENSUS_2017_INDEX = `${MATCHING_DIR}census-naics-2017-index/2017_NAICS_Index_File.csv`;
const CENSUS_2017_DESCRIPTIONS = `${MATCHING_DIR}census-naics-2017-index/2017_NAICS_Descriptions.csv`;
const CENSUS_2022_INDEX = `${MATCHING_DIR}census-naics-2022-index/2022_NAICS_Index_File.csv`;
const CAML = `${MATCHING_DIR}caml/caml_naics_codes.csv`;
const EXPENSE_LEXICON = `${MATCHING_DIR}tally-lexicon/expense-lexicon.csv`;
const ACTIVITY_LEXICON = `${MATCHING_DIR}tally-lexicon/activity-lexicon.csv`;
/** City of Austin purchase lines with expert NAICS-6 labels, development half (CDLA-Permissive-2.0). */
export const AUSTIN_DEV_FILE = `${MATCHING_DIR}austin-procurement-dev/austin_dev.csv`;

export const LEXICON_SOURCES = { census2017Index: 'census-naics-2017-index', census2022Index: 'census-naics-2022-index', naics2017Title: 'naics-2017-title', naics2017Description: 'naics-2017-description', expenses: 'tally-expense-lexicon', activities: 'tally-activity-lexicon', caml: 'caml' } as const;

/** The factor key of a 2017 NAICS-6 code as a matching target (the calculation appends the price basis). */
export const naicsTargetKey = (code: string) => `naics-2017/${code}`;
/** An activity key as factor sets write them: lower-case words, digits and dashes, in /-separated levels. */
const ACTIVITY_KEY = /^[a-z0-9]+(?:[-.][a-z0-9]+)*(?:\/[a-z0-9]+(?:[-.][a-z0-9]+)*)*$/;

interface CsvRow {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  values: Record<string, string>;
}

/** Reads a CSV with a header, checking the columns it needs; errors name the file, line and column. */
async function readCsvFile(path: string, required: readonly string[]): Promise<CsvRow[]> {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(await readFile(path), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as typeof records;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  for (const column of required) {
    if (records.length > 0 && !header.includes(column)) throw new Error(`${path}, line 1: missing column "${column}" (header: ${header.join(', ')})`);
  }
  // info.lines is the line where a record ends; a quoted field may span lines.
  return records.map(({ record, info }) => ({
    line: info.lines - Object.values(record).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0),
    values: record,
  }));
}

const SIX = /^\d{6}$/;
/** Case and whitespace: the normalisation under which two phrases are "identical". */
const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
/** Census marks titles identical across the US, Canada and Mexico with a trailing T ("…HuntingT"). */
export const stripCensusTitleMarker = (title: string) => title.trim().replace(/(?<=[a-z)])T$/, '').trim();

/** The 2017 NAICS-6 codes of an EPA supply chain factor set (keys `naics-2017/<code>/<price>-price`). */
export function epaNaicsCodes(factors: readonly EmissionFactor[]): Set<string> {
  const codes = new Set<string>();
  for (const f of factors) {
    const m = /^naics-2017\/(\d{6})\/(?:purchaser|producer)-price$/.exec(f.activityKey);
    if (m) codes.add(m[1]!);
  }
  return codes;
}

export interface MatchingLexicon {
  lexicon: LexiconEntry[];
  /** NAICS 2022 code → the 2017 codes it corresponds to, best first (only codes EPA v1.3.0 has). */
  naics2022To2017: Record<string, string[]>;
  /** How often the labelled City of Austin purchase lines land on each key (codePriorOf). */
  codePrior: CodePrior;
  /** The labelled City of Austin purchase lines as phrases of their keys (examplesOf). */
  examples: LexiconEntry[];
  /** What the library holds no spend factor for on purpose (ELECTRIC_POWER), with its phrases. */
  boundaries: { targets: MatchBoundary[]; lexicon: LexiconEntry[] };
}

/**
 * EPA's supply chain factors publish none for electric power generation, transmission and
 * distribution (NAICS 2211): spend on electricity matched by text went to whatever industry
 * shared a word ("Electricity bill": motor and generator makers). Bought electricity is Scope 2,
 * reported by the kWh; counted by spend in Scope 3 as well it would be counted twice. So the
 * codes of delivering it, transmission and distribution, are boundaries (MatchBoundary in
 * @tally/core) for spend, matched on their Census index entries, titles and the ledger names of
 * the expense lexicon ("electricity bill", "power bill"), and answered as no match. The generation
 * codes are not: their entries ("Solar farms", "Power generation, wind") name what equipment
 * purchases name too, and a buyer pays the utility that delivers.
 */
const ELECTRIC_POWER = {
  codes: ['221121', '221122'],
  note: "no spend factor: EPA's supply chain factors leave out electric power (NAICS 2211), as bought electricity is Scope 2; report it by the kWh (a grid or supplier factor applies)",
} as const;

/**
 * What fuel cards and site logs list by the litre beside the fuel but is not burnt: AdBlue (diesel
 * exhaust fluid, a urea solution for the exhaust), fuel additives, coolant and screenwash. Read as
 * the fuel whose name they hold ("Diesel exhaust fluid" was diesel at 0.9), they would be counted
 * as burnt fuel, about 2.5 kg CO2e a litre; so they are a boundary for volumes and masses, answered
 * as no match with this note. Their purchase, if reported, is spend. The phrases name no fuel
 * ("exhaust fluid", not "diesel exhaust fluid"): a fuel's name in them would make that name's
 * word commoner and lower the fuels' own matches ("Shell diesel fuel card" fell to 0.74).
 */
const VEHICLE_FLUIDS = {
  key: 'not-a-fuel/vehicle-fluids-and-additives',
  title: 'Vehicle fluids and fuel additives (not fuels)',
  phrases: ['AdBlue', 'exhaust fluid', 'additive', 'coolant', 'antifreeze', 'screenwash', 'washer fluid'],
  note: 'no combustion factor: AdBlue (diesel exhaust fluid), fuel additives, coolant and screenwash are not burnt as fuel; report their purchase as spend if at all',
} as const;

/**
 * The phrases that name each EPA v1.3.0 NAICS-6 code and the fuel, energy, travel, freight and
 * waste keys of the bundled activity sets, and a 2022→2017 code bridge. With the shipped
 * files (tested in matching.test.ts):
 * - Census 2017 index: 20,057 coded entries (25 `******` cross-references skipped); 19,723 kept on
 *   1,014 codes, 334 dropped (41 codes EPA does not publish: electric power generation 2211xx,
 *   public administration 92xxxx, private households 814110, alumina refining 331314).
 * - NAICS 2017 titles: 1,057 6-digit titles, 1,016 kept (one per EPA code), the same 41 dropped.
 * - CaML: 11,643 rows, all with a 6-digit 2017 code; 16 dropped on 331314 (not in EPA), 10,242
 *   repeat a Census index phrase of the same code and 3 its title (case and whitespace aside):
 *   1,382 kept, on 137 codes.
 * - Census 2022 index: 700 phrases the 2017 index does not have (new products and services), on the
 *   2017 code (in EPA) their 2022 code bridges to first, 261 codes.
 * - Activity lexicon: 357 names of fuels, energy, heat, refrigerants, travel, freight and waste as
 *   fuel cards, bills, expense and site logs write them ("unleaded", "red diesel", "HVO", "heating
 *   oil", "Jet A-1", "mains gas", "R-410A", "car mileage", "road freight", "cardboard recycling"),
 *   on 245 activity keys of the
 *   bundled DESNZ editions, EPA Hub and grid sets: each set's default where a name leaves the grade or mode
 *   open ("diesel": DESNZ's average biofuel blend, EPA's diesel fuel CO2; "car mileage": an average
 *   car of unknown fuel). An engine keeps the entries whose key its run can match.
 * Total with the NAICS descriptions and the expense lexicon (260 merchants and ledger names of
 * overheads, services and supplies): 24,097 entries covering all 1,016 EPA codes (112130 and
 * 541120 by their titles only); 24,454 with the activity lexicon.
 * - Boundaries (ELECTRIC_POWER): electric power transmission and distribution (221121, 221122), which
 *   EPA leaves out, with their 6 Census index entries, 2 titles and 5 ledger names of electricity
 *   bills from the expense lexicon.
 * Bridge: 967 of the 2022 index's 1,010 codes map to at least one EPA code (see the 2022 SOURCE.md).
 */
export async function loadMatchingLexicon(): Promise<MatchingLexicon> {
  const epa = epaNaicsCodes((await loadBundledFactorSet('epa-sc-v1.3.0')).result.factors);
  const [index17, descriptions, index22, caml, expenses, activities, labelled] = await Promise.all([
    readCsvFile(CENSUS_2017_INDEX, ['NAICS17', 'INDEX ITEM DESCRIPTION']),
    readCsvFile(CENSUS_2017_DESCRIPTIONS, ['Code', 'Title']),
    readCsvFile(CENSUS_2022_INDEX, ['NAICS22', 'INDEX ITEM DESCRIPTION']),
    readCsvFile(CAML, ['naics_desc', 'NAICS_2017_Code']),
    readCsvFile(EXPENSE_LEXICON, ['naics_2017', 'phrase']),
    readCsvFile(ACTIVITY_LEXICON, ['key', 'phrase']),
    loadLabelledItems(AUSTIN_DEV_FILE),
  ]);

  const lexicon: LexiconEntry[] = [];
  const boundaryLexicon: LexiconEntry[] = [];
  const boundaryTitles = new Map<string, string>();
  const isBoundary = (code: string) => (ELECTRIC_POWER.codes as readonly string[]).includes(code) && !epa.has(code);
  /** `code|normalised phrase` of every Census phrase (index entry or title) kept. */
  const seen = new Set<string>();
  const add = (code: string, phrase: string, source: string) => {
    const p = phrase.trim();
    const id = `${code}|${norm(p)}`;
    if (p && isBoundary(code) && source !== LEXICON_SOURCES.caml && source !== LEXICON_SOURCES.naics2017Description) {
      boundaryLexicon.push({ key: naicsTargetKey(code), phrase: p, source });
      if (source === LEXICON_SOURCES.naics2017Title) boundaryTitles.set(code, p);
    }
    if (!p || !epa.has(code) || (source === LEXICON_SOURCES.caml && seen.has(id))) return;
    seen.add(id);
    lexicon.push({ key: naicsTargetKey(code), phrase: p, source });
  };

  /** Normalised 2017 index phrase → its 2017 codes (the index has no phrase under two codes, but a bridge should not assume it). */
  const codes17ByPhrase = new Map<string, string[]>();
  for (const { line, values } of index17) {
    const code = (values.NAICS17 ?? '').trim();
    const phrase = values['INDEX ITEM DESCRIPTION'] ?? '';
    if (code === '******') continue; // cross-reference ("Wholesale -- see type of product"), not a label
    if (!SIX.test(code)) throw new Error(`${CENSUS_2017_INDEX}, line ${line}, column NAICS17: "${code}" is not a 6-digit NAICS code`);
    add(code, phrase, LEXICON_SOURCES.census2017Index);
    const list = codes17ByPhrase.get(norm(phrase)) ?? [];
    if (!list.includes(code)) list.push(code);
    codes17ByPhrase.set(norm(phrase), list);
  }
  for (const { values } of descriptions) {
    const code = (values.Code ?? '').trim();
    if (!SIX.test(code)) continue;
    add(code, stripCensusTitleMarker(values.Title ?? ''), LEXICON_SOURCES.naics2017Title);
    // What the industry makes or does, without the cross-references (which name other codes' products).
    const body = (values.Description ?? '').split(/Cross-References/i)[0]!.replace(/^This (U\.S\. )?industry comprises establishments primarily engaged in/i, '').replace(/\(\d+\)/g, ' ');
    add(code, body, LEXICON_SOURCES.naics2017Description);
  }
  for (const { line, values } of expenses) {
    const code = (values.naics_2017 ?? '').trim();
    if (!SIX.test(code) || !(epa.has(code) || isBoundary(code))) throw new Error(`${EXPENSE_LEXICON}, line ${line}, column naics_2017: "${code}" is not a 6-digit code of the EPA factors or of electric power delivery (221121, 221122)`);
    add(code, values.phrase ?? '', LEXICON_SOURCES.expenses);
  }
  for (const { line, values } of activities) {
    const key = (values.key ?? '').trim();
    const phrase = (values.phrase ?? '').trim();
    if (!ACTIVITY_KEY.test(key)) throw new Error(`${ACTIVITY_LEXICON}, line ${line}, column key: "${key}" is not a factor activity key`);
    if (!phrase) throw new Error(`${ACTIVITY_LEXICON}, line ${line}, column phrase: empty`);
    lexicon.push({ key, phrase, source: LEXICON_SOURCES.activities });
  }
  for (const { values } of caml) {
    const code = (values.NAICS_2017_Code ?? '').trim();
    if (SIX.test(code)) add(code, values.naics_desc ?? '', LEXICON_SOURCES.caml);
  }

  // 2022 → 2017: the 2017 codes (in EPA) whose index phrases are identical to the 2022 code's own,
  // by number of shared phrases (then code); a code that exists in both and in EPA comes first.
  const shared = new Map<string, Map<string, number>>();
  for (const { line, values } of index22) {
    const code = (values.NAICS22 ?? '').trim();
    if (code === '******') continue;
    if (!SIX.test(code)) throw new Error(`${CENSUS_2022_INDEX}, line ${line}, column NAICS22: "${code}" is not a 6-digit NAICS code`);
    let counts = shared.get(code);
    if (!counts) shared.set(code, (counts = new Map()));
    for (const c17 of codes17ByPhrase.get(norm(values['INDEX ITEM DESCRIPTION'] ?? '')) ?? []) {
      if (epa.has(c17)) counts.set(c17, (counts.get(c17) ?? 0) + 1);
    }
  }
  // EPA's codes are all 2017 codes, so "the same code in both and in EPA" is: the 2022 code is an EPA code.
  const naics2022To2017: Record<string, string[]> = {};
  for (const [code, counts] of [...shared].sort(([a], [b]) => a.localeCompare(b))) {
    const ranked = [...counts].sort(([a, n], [b, m]) => m - n || a.localeCompare(b)).map(([c]) => c);
    const list = epa.has(code) ? [code, ...ranked.filter((c) => c !== code)] : ranked;
    if (list.length > 0) naics2022To2017[code] = list;
  }
  // Phrases the 2022 index added (new products and services: "USB flash drives", "ridesharing"), on
  // the 2017 code their 2022 code bridges to first.
  for (const { values } of index22) {
    const code = (values.NAICS22 ?? '').trim();
    const phrase = values['INDEX ITEM DESCRIPTION'] ?? '';
    const to = naics2022To2017[code]?.[0];
    if (code === '******' || to === undefined || codes17ByPhrase.has(norm(phrase)) || seen.has(`${to}|${norm(phrase)}`)) continue;
    add(to, phrase, LEXICON_SOURCES.census2022Index);
  }
  const boundaryTargets = [...boundaryTitles].sort(([a], [b]) => a.localeCompare(b)).map(([code, title]): MatchBoundary => ({ key: naicsTargetKey(code), title, dimensions: ['currency'], note: ELECTRIC_POWER.note }));
  boundaryTargets.push({ key: VEHICLE_FLUIDS.key, title: VEHICLE_FLUIDS.title, dimensions: ['volume', 'mass'], note: VEHICLE_FLUIDS.note });
  for (const phrase of VEHICLE_FLUIDS.phrases) boundaryLexicon.push({ key: VEHICLE_FLUIDS.key, phrase, source: LEXICON_SOURCES.activities });
  return { lexicon, naics2022To2017, codePrior: codePriorOf(labelled), examples: examplesOf(labelled), boundaries: { targets: boundaryTargets, lexicon: boundaryLexicon } };
}

/**
 * Labelled items as example lines of their keys (examples.ts in @tally/core): each labelled
 * description, on `naics-2017/<label>`; items labelled -1/-2/-3 name no key and are left out. The
 * shipped examples are the Austin development set's 914 labelled descriptions; like the prior, they
 * are seen data on that set, so `pnpm bench:matching` matches each hash half with the other
 * half's (--examples).
 */
export function examplesOf(items: readonly LabelledItem[]): LexiconEntry[] {
  return items.filter((i) => i.label).map((i) => ({ key: naicsTargetKey(i.label!), phrase: i.description, source: EXAMPLE_SOURCE }));
}

/**
 * The code prior of labelled items (CodePrior in @tally/core): for each `naics-2017/<code>` key,
 * how many of the items are labelled with it. The shipped prior counts the Austin development set's
 * 914 labelled descriptions; scored on that same set it is seen data, so `pnpm bench:matching`
 * fits it on one hash half and scores the other (--code-prior).
 */
export function codePriorOf(items: readonly LabelledItem[]): Map<string, number> {
  const prior = new Map<string, number>();
  for (const i of items) if (i.label) prior.set(naicsTargetKey(i.label), (prior.get(naicsTargetKey(i.label)) ?? 0) + 1);
  return prior;
}

/** One distinct purchase description of a labelled file, with its expert label: the unit of scoring. */
export interface LabelledItem {
  description: string;
  /** 2017 NAICS-6 code; null when the annotators found no suitable code (-1, -2, -3): the right answer is no match. */
  label: string | null;
  /** The label's kg CO2e per USD as given in the file (EPA v1.2 with margins, 2021 USD); null for no label or none given. */
  labelFactor: string | null;
  labelTitle: string | null;
  /** Rows of the file with this description. */
  rows: number;
  /** Distinct non-empty extended descriptions and contract names of those rows, in file order. */
  extended: string[];
  contracts: string[];
  /** Distinct non-empty COMMODITY codes of those rows (the buyer's own category, NIGP in Austin's data). */
  commodities: string[];
}

/** Columns a labelled file must have; COMMODITY, EXTENDED_DESCRIPTION, CONTRACT_NAME, naics_title_final and co2e_per_dollar_final are read when present. */
const LABELLED_COLUMNS = ['COMMODITY_DESCRIPTION', 'naics_code_final'] as const;

/**
 * A CSV with the columns of the Austin set (COMMODITY_DESCRIPTION and naics_code_final; also
 * COMMODITY, EXTENDED_DESCRIPTION, CONTRACT_NAME, naics_title_final, co2e_per_dollar_final when present), one
 * item per distinct COMMODITY_DESCRIPTION (trimmed), in order of first appearance. Every row of an
 * item must carry the same label. A row that breaks a rule (no description, a code that is neither
 * NAICS-6 nor -1/-2/-3, a factor that is not a number, another label than the item's first row)
 * is an error naming the file, line and column; when `problems` is given, the error is added there
 * instead and the row is left out (a benchmark scores what it can of a file it has never seen).
 * A missing factor is no error: scoring takes the label's factor from EPA v1.2 then.
 */
export async function loadLabelledItems(path: string, options: { problems?: string[] } = {}): Promise<LabelledItem[]> {
  const rows = await readCsvFile(path, LABELLED_COLUMNS);
  const items = new Map<string, LabelledItem & { line: number }>();
  const where = (line: number, column: string) => `${path}, line ${line}, column ${column}`;
  const problem = (message: string): void => {
    if (!options.problems) throw new Error(message);
    options.problems.push(message);
  };
  for (const { line, values: v } of rows) {
    const description = (v.COMMODITY_DESCRIPTION ?? '').trim();
    if (!description) {
      problem(`${where(line, 'COMMODITY_DESCRIPTION')}: empty description`);
      continue;
    }
    // A spreadsheet or dataframe may have written the code as a number: "326122.0", "-1.0".
    const code = (v.naics_code_final ?? '').trim().replace(/^(-?\d+)\.0+$/, '$1');
    let label: string | null;
    let labelFactor: string | null = null;
    if (code === '-1' || code === '-2' || code === '-3') label = null;
    else if (SIX.test(code)) {
      label = code;
      const factor = (v.co2e_per_dollar_final ?? '').trim();
      if (factor !== '' && !/^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(factor)) {
        problem(`${where(line, 'co2e_per_dollar_final')}: "${factor}" is not a number (label ${code})`);
        continue;
      }
      labelFactor = factor === '' ? null : factor;
    } else {
      problem(`${where(line, 'naics_code_final')}: "${code}" is neither a 6-digit NAICS code nor -1, -2, -3 (no suitable code)`);
      continue;
    }
    const title = (v.naics_title_final ?? '').trim();

    let item = items.get(description);
    if (!item) {
      items.set(description, (item = { description, label, labelFactor, labelTitle: label && title ? title : null, rows: 0, extended: [], contracts: [], commodities: [], line }));
    } else if (item.label !== label || item.labelFactor !== labelFactor) {
      problem(`${where(line, 'naics_code_final')}: "${description}" is labelled ${code} (${labelFactor ?? 'no factor'}), but ${item.label ?? 'no match'} (${item.labelFactor ?? 'no factor'}) at line ${item.line}`);
      continue;
    }
    item.rows++;
    const extended = (v.EXTENDED_DESCRIPTION ?? '').trim();
    const contract = (v.CONTRACT_NAME ?? '').trim();
    if (extended && !item.extended.includes(extended)) item.extended.push(extended);
    if (contract && !item.contracts.includes(contract)) item.contracts.push(contract);
    const commodity = (v.COMMODITY ?? '').trim();
    if (commodity && !item.commodities.includes(commodity)) item.commodities.push(commodity);
  }
  return [...items.values()].map(({ line: _line, ...item }) => item);
}

/**
 * Each item's category profile as `pnpm bench:matching` gives it, in the items' order: the category
 * is the first `digits` digits of the item's first COMMODITY code (5: NIGP class and item), and its
 * profile is built from the items of that category, as planning a run builds one from the run's
 * activities. Undefined for an item without a COMMODITY code, or for every item when `digits` is 0.
 * Items of one category share one profile object.
 */
export function itemCategoryProfiles(items: readonly LabelledItem[], digits: number): (CategoryProfile | undefined)[] {
  const categoryOf = (i: LabelledItem): string | undefined => (digits > 0 && i.commodities[0] ? i.commodities[0].slice(0, digits) : undefined);
  const members = Map.groupBy(items.filter((i) => categoryOf(i) !== undefined), (i) => categoryOf(i)!);
  const profiles = new Map([...members].map(([c, is]) => [c, categoryProfileOf(is.map((i) => i.description))]));
  return items.map((i) => profiles.get(categoryOf(i) ?? ''));
}
