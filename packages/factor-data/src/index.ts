import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { parseDesnzFlatFile, parseGwpTable, type DesnzParseResult, type FactorSetMeta, type GwpSet } from '@tally/core';

/** data/ beside src/ and dist/. */
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

export interface BundledFactorSet {
  meta: FactorSetMeta;
  file: string;
}

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
  meta: desnzMeta(year),
  file: `${DATA_DIR}desnz/ghg-conversion-factors-${year}-flat.csv`,
});

/** DESNZ/Defra 2016-2025: ten editions of one source, each an immutable set. */
export const BUNDLED_FACTOR_SETS: readonly BundledFactorSet[] = Array.from({ length: 10 }, (_, i) => desnz(2016 + i));

export interface LoadedFactorFile {
  meta: FactorSetMeta;
  fileName: string;
  /** SHA-256 of the file's bytes: the identity of a published set. */
  checksum: string;
  result: DesnzParseResult;
}

export async function loadDesnzFile(path: string, meta: FactorSetMeta): Promise<LoadedFactorFile> {
  const bytes = await readFile(path);
  const records = parse(bytes, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return {
    meta,
    fileName: basename(path),
    checksum: createHash('sha256').update(bytes).digest('hex'),
    result: parseDesnzFlatFile(records, meta, 2),
  };
}

export async function loadBundledFactorSet(id: string): Promise<LoadedFactorFile> {
  const set = BUNDLED_FACTOR_SETS.find((s) => s.meta.id === id);
  if (!set) throw new Error(`no bundled factor set "${id}" (bundled: ${BUNDLED_FACTOR_SETS.map((s) => s.meta.id).join(', ')})`);
  return loadDesnzFile(set.file, set.meta);
}

export async function loadBundledGwpSets(): Promise<GwpSet[]> {
  const text = await readFile(`${DATA_DIR}gwp/globalwarmingpotentials.csv`, 'utf8');
  const records = parse(text, { columns: true, comment: '#', skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return parseGwpTable(records, 'IPCC via openclimatedata/globalwarmingpotentials v0.13.1 (CC0)');
}
