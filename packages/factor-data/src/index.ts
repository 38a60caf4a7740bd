import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { parseDesnzFlatFile, parseEpaSupplyChain, parseGwpTable, type DesnzParseResult, type FactorSetMeta, type GwpSet } from '@tally/core';

/** data/ beside src/ and dist/. */
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

export type BundledFactorSet =
  | { kind: 'desnz'; meta: FactorSetMeta; file: string }
  | { kind: 'epa-supply-chain'; meta: FactorSetMeta; currencyYear: number; co2eFile: string; byGasFile?: string };

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
];

export interface LoadedFactorFile {
  meta: FactorSetMeta;
  fileName: string;
  /** SHA-256 of the file's bytes (of the files' digests for several files): the set's identity. */
  checksum: string;
  result: Pick<DesnzParseResult, 'factors' | 'skipped'> & Partial<Pick<DesnzParseResult, 'cleaned'>>;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const readCsv = (bytes: Buffer) => parse(bytes, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];

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

export async function loadDesnzFile(path: string, meta: FactorSetMeta): Promise<LoadedFactorFile> {
  const bytes = await readFile(path);
  return { meta, fileName: basename(path), checksum: sha256(bytes), result: parseDesnzFlatFile(readCsv(bytes), meta, 2) };
}

export async function loadBundledFactorSet(id: string): Promise<LoadedFactorFile> {
  const set = BUNDLED_FACTOR_SETS.find((s) => s.meta.id === id);
  if (!set) throw new Error(`no bundled factor set "${id}" (bundled: ${BUNDLED_FACTOR_SETS.map((s) => s.meta.id).join(', ')})`);
  return set.kind === 'desnz' ? loadDesnzFile(set.file, set.meta) : loadEpaSupplyChain(set);
}

export async function loadBundledGwpSets(): Promise<GwpSet[]> {
  const text = await readFile(`${DATA_DIR}gwp/globalwarmingpotentials.csv`, 'utf8');
  const records = parse(text, { columns: true, comment: '#', skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return parseGwpTable(records, 'IPCC via openclimatedata/globalwarmingpotentials v0.13.1 (CC0)');
}
