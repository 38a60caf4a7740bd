import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import countries from 'i18n-iso-countries';
import { parseBlendTable, parseDesnzFlatFile, parseEpaHub, parseGridIntensity, parseEpaSupplyChain, parseGwpTable, type BlendTable, type EmissionFactor, type EpaHubTables, type DesnzParseResult, type FactorSetMeta, type GwpSet } from '@tally/core';

import { readCsv } from './csv.ts';
import { DATA_DIR } from './dataDir.ts';

export { DATA_DIR };

export type BundledFactorSet =
  | { kind: 'desnz'; meta: FactorSetMeta; file: string }
  | { kind: 'epa-supply-chain'; meta: FactorSetMeta; currencyYear: number; co2eFile: string; byGasFile?: string }
  | { kind: 'epa-hub'; meta: FactorSetMeta; dir: string }
  | { kind: 'grid-intensity'; meta: FactorSetMeta; file: string };

/** The factor-set description of a DESNZ/Defra edition. */
export const desnzMeta = (year: number, id = `desnz-${year}`): FactorSetMeta => ({
  id,
  source: 'DESNZ/Defra GHG conversion factors',
  edition: String(year),
  publicationYear: year,
  licence: 'OGL-3.0',
  region: 'GB',
  // From 2023 DESNZ states per-gas CO2e under AR5 (earlier editions: AR4).
  gwpBasis: year >= 2023 ? 'AR5' : 'AR4',
});

const desnz = (year: number): BundledFactorSet => ({
  kind: 'desnz',
  meta: desnzMeta(year),
  file: `${DATA_DIR}desnz/ghg-conversion-factors-${year}-flat.csv`,
});

const EPA_SC = `${DATA_DIR}epa-supply-chain/SupplyChainGHGEmissionFactors_`;
const epaMeta = (version: string, year: number, gwpBasis: string): FactorSetMeta => ({
  id: `epa-sc-${version}`,
  source: 'US EPA Supply Chain GHG Emission Factors (USEEIO), by 2017 NAICS-6',
  edition: version,
  publicationYear: year,
  licence: 'US-Government-Public-Domain',
  region: 'US',
  gwpBasis,
});

/**
 * DESNZ/Defra 2016-2025 (ten editions of one source, each an immutable set) and the US EPA supply
 * chain factors v1.2 (2021 USD) and v1.3.0 (2022 USD, with gases). v1.3.0 totals are AR5 (summing
 * its gases with AR5 reproduces them); v1.2 does not state its GWPs and is taken as AR5 too, the
 * basis of the USEEIO v2 models.
 */
export const BUNDLED_FACTOR_SETS: readonly BundledFactorSet[] = [
  ...Array.from({ length: 10 }, (_, i) => desnz(2016 + i)),
  { kind: 'epa-supply-chain', meta: epaMeta('v1.2', 2021, 'AR5'), currencyYear: 2021, co2eFile: `${EPA_SC}v1.2_NAICS_CO2e_USD2021.csv` },
  {
    kind: 'epa-supply-chain',
    meta: epaMeta('v1.3.0', 2022, 'AR5'),
    currencyYear: 2022,
    co2eFile: `${EPA_SC}v1.3.0_NAICS_CO2e_USD2022.csv`,
    byGasFile: `${EPA_SC}v1.3.0_NAICS_byGHG_USD2022.csv`,
  },
  {
    kind: 'epa-hub',
    meta: {
      // r2: Tally's second reading of the 2025 Hub (biomass CO2 outside the scopes, as the Hub's
      // guidance says; Tables 11 and 12). The first, epa-hub-2025, counted biomass CO2 in Scope 1;
      // a stored set never changes, so a database that holds it keeps it, beside this one.
      id: 'epa-hub-2025-r2',
      source: 'US EPA GHG Emission Factors Hub',
      edition: '2025',
      publicationYear: 2025,
      licence: 'US-Government-Public-Domain',
      region: 'US',
      gwpBasis: 'AR5',
    },
    dir: `${DATA_DIR}epa-hub/`,
  },
  {
    kind: 'grid-intensity',
    meta: {
      id: 'owid-ember-grid-2025',
      source: 'Our World in Data: carbon intensity of electricity generation (Ember; Energy Institute)',
      edition: '2025',
      publicationYear: 2025,
      licence: 'CC-BY-4.0',
      region: 'GLOBAL',
      // Ember's lifecycle factors come from IPCC AR5 (WG III, Annex III); totals only.
      gwpBasis: 'AR5',
    },
    file: `${DATA_DIR}grid/owid-ember-carbon-intensity-electricity.csv`,
  },
];

export async function loadGridIntensity(set: Extract<BundledFactorSet, { kind: 'grid-intensity' }>): Promise<LoadedFactorFile> {
  const bytes = await readFile(set.file);
  const { factors, skipped } = parseGridIntensity(readCsv(bytes), set.meta, (a3) => countries.alpha3ToAlpha2(a3));
  return { meta: set.meta, fileName: basename(set.file), checksum: sha256(bytes), result: { factors, skipped } };
}

/** The bundled description of a source (publisher, licence, region), to import another edition of it. */
export function sourceMeta(kind: BundledFactorSet['kind']): FactorSetMeta {
  const set = [...BUNDLED_FACTOR_SETS].reverse().find((s) => s.kind === kind);
  if (!set) throw new Error(`no bundled source of kind ${kind}`);
  return { ...set.meta };
}

const HUB_TABLES = ['table01', 'table02', 'table03', 'table04', 'table05', 'table06', 'table07', 'table08', 'table09', 'table10', 'table11', 'table12'] as const;

export async function loadEpaHub(set: Extract<BundledFactorSet, { kind: 'epa-hub' }>): Promise<LoadedFactorFile> {
  const names = (await readdir(set.dir)).filter((f) => /^table\d\d_.*\.csv$/.test(f)).sort();
  const tables: EpaHubTables = {};
  const digests: string[] = [];
  for (const t of HUB_TABLES) {
    const file = names.find((n) => n.startsWith(`${t}_`));
    if (!file) throw new Error(`EPA Hub: ${t} is missing from ${set.dir}`);
    const bytes = await readFile(`${set.dir}${file}`);
    digests.push(`${file}:${sha256(bytes)}`);
    tables[t] = readCsv(bytes);
  }
  // Tables 11 and 12 (gases and refrigerant blends) become gas masses where every bundled GWP set can weigh them.
  const { factors, skipped } = parseEpaHub(tables, set.meta, { gwpSets: await loadBundledGwpSets() });
  return { meta: set.meta, fileName: 'epa-hub/table01..table12', checksum: sha256(digests.join('\n')), result: { factors, skipped } };
}

/** A published row the importer did not turn into a factor, and why. */
export interface SkippedSourceRow {
  line: number;
  reason: string;
  detail: string;
  table?: string;
}

export interface LoadedFactorFile {
  meta: FactorSetMeta;
  fileName: string;
  /** SHA-256 of the file's bytes (of the files' digests for several files): the set's identity. */
  checksum: string;
  result: { factors: EmissionFactor[]; skipped: SkippedSourceRow[]; cleaned?: DesnzParseResult['cleaned']; notes?: DesnzParseResult['notes'] };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function loadEpaSupplyChain(set: Extract<BundledFactorSet, { kind: 'epa-supply-chain' }>): Promise<LoadedFactorFile> {
  const co2e = await readFile(set.co2eFile);
  const byGas = set.byGasFile ? await readFile(set.byGasFile) : undefined;
  const factors = parseEpaSupplyChain({ meta: set.meta, currencyYear: set.currencyYear, co2e: readCsv(co2e), ...(byGas ? { byGas: readCsv(byGas) } : {}) });
  return {
    meta: set.meta,
    fileName: [set.co2eFile, set.byGasFile].filter(Boolean).map((f) => basename(f!)).join(' + '),
    checksum: byGas ? sha256(`${sha256(co2e)}\n${sha256(byGas)}`) : sha256(co2e),
    result: { factors, skipped: [] },
  };
}

/** Refrigerant blend compositions (ASHRAE Standard 34 nominal), blendKey -> composition; see data/refrigerants/SOURCE.md. */
export async function loadBlendTable(): Promise<BlendTable> {
  return parseBlendTable(readCsv(await readFile(`${DATA_DIR}refrigerants/blends.csv`)));
}

/** DESNZ country spellings go through DESNZ_HOTEL_COUNTRIES first, then this. */
const countryCode = (name: string): string | undefined => countries.getAlpha2Code(name, 'en');

/**
 * A DESNZ/Defra flat file, with the country lookup for hotel stays, and the blend table and the
 * bundled GWP sets for refrigerants (stated as gas masses where every set can weigh them).
 */
export async function loadDesnzFile(path: string, meta: FactorSetMeta): Promise<LoadedFactorFile> {
  const [bytes, blends, gwpSets] = await Promise.all([readFile(path), loadBlendTable(), loadBundledGwpSets()]);
  const result = parseDesnzFlatFile(readCsv(bytes), meta, { firstDataLine: 2, countryCode, blends, gwpSets });
  return { meta, fileName: basename(path), checksum: sha256(bytes), result };
}

export async function loadBundledFactorSet(id: string): Promise<LoadedFactorFile> {
  const set = BUNDLED_FACTOR_SETS.find((s) => s.meta.id === id);
  if (!set) throw new Error(`no bundled factor set "${id}" (bundled: ${BUNDLED_FACTOR_SETS.map((s) => s.meta.id).join(', ')})`);
  switch (set.kind) {
    case 'grid-intensity':
      return loadGridIntensity(set);
    case 'desnz':
      return loadDesnzFile(set.file, set.meta);
    case 'epa-supply-chain':
      return loadEpaSupplyChain(set);
    case 'epa-hub':
      return loadEpaHub(set);
  }
}

export async function loadBundledGwpSets(): Promise<GwpSet[]> {
  const text = await readFile(`${DATA_DIR}gwp/globalwarmingpotentials.csv`, 'utf8');
  const records = parse(text, { columns: true, comment: '#', skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return parseGwpTable(records, 'IPCC via openclimatedata/globalwarmingpotentials v0.13.1 (CC0)');
}
export * from './economics.ts';
export * from './matching.ts';
