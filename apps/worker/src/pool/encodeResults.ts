import { createHash } from 'node:crypto';
import type { ActivityResult, MatchMethod } from '@tally/core';
import type { EncodedChunkResults, ResultLineage } from '@tally/db';
import type { ActivityColumns } from './columnar.ts';

/** calculation_result_rows columns, in the order written (the same list as @tally/db's RESULT_ROW_COLUMNS, checked at commit). */
export const ROW_COLUMNS = ['run_id', 'activity_id', 'org_id', 'entity_id', 'period_start', 'chunk_no', 'lineage_id', 'co2e_kg', 'co2_kg', 'ch4_kg', 'n2o_kg', 'other_gas_kg', 'co2e_variants'] as const;

export interface ChunkMeta {
  runId: string;
  orgId: string;
  chunkNo: number;
}

/** COPY text format of one field: backslash, tab, newline and carriage return escaped; null is \N. */
function field(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

const MAIN_GASES = new Set(['CO2', 'CH4', 'N2O']);
const quoted = new Map<string, string>();
/** JSON of gas_kg without CO2, CH4 and N2O (those have columns), written without a copy of the object. */
function otherGases(gasKg: Record<string, string>): string {
  let out = '';
  for (const k in gasKg) {
    if (MAIN_GASES.has(k)) continue;
    let q = quoted.get(k);
    if (q === undefined) quoted.set(k, (q = JSON.stringify(k)));
    out += `${out ? ',' : ''}${q}:${JSON.stringify(gasKg[k])}`;
  }
  return `{${out}}`;
}

/**
 * A chunk's rows by result status, and the rows whose factor the matching engine chose (a row that
 * names its factor has no match) by method and status: `matched.text.unmatched` are text matches
 * held for review. For the worker's metrics.
 */
export interface ChunkCounts {
  status: Record<ActivityResult['status'], number>;
  matched: Partial<Record<MatchMethod, Record<ActivityResult['status'], number>>>;
}

/**
 * Turns a chunk's results into what the commit writes: each distinct lineage once (keyed by an
 * md5 of its content, so every thread and process names the same lineage alike) and the rows as
 * COPY text of calculation_result_rows, encoded to UTF-8 here in the thread so that the main
 * thread only forwards bytes. Lineage fields and values are those the per-row columns held.
 */
export function encodeResults(meta: ChunkMeta, cols: ActivityColumns, results: readonly ActivityResult[]): EncodedChunkResults & { counts: ChunkCounts } {
  const byStatus = (): ChunkCounts['status'] => ({ calculated: 0, unmatched: 0, failed: 0 });
  const counts: ChunkCounts = { status: byStatus(), matched: {} };
  const lineages: ResultLineage[] = [];
  // Rows of one resolution share their match and conversion objects: an identity number for each
  // keeps the per-row lineage key short; the md5 is taken once per distinct key.
  const objectIds = new Map<object, number>();
  const idOf = (o: object | null | undefined) => {
    if (o === null || o === undefined) return -1;
    let id = objectIds.get(o);
    if (id === undefined) objectIds.set(o, (id = objectIds.size));
    return id;
  };
  const byKey = new Map<string, string>();
  const byHash = new Set<string>();
  // Rows the calculation says share a lineage (its lineageToken) skip building the key.
  const byToken = new Map<object, string>();
  const lineageOf = (r: ActivityResult): string => {
    if (r.lineageToken) {
      const known = byToken.get(r.lineageToken);
      if (known !== undefined) return known;
      const id = lineageByContent(r);
      byToken.set(r.lineageToken, id);
      return id;
    }
    return lineageByContent(r);
  };
  const lineageByContent = (r: ActivityResult): string => {
    const c = r.status === 'calculated' ? r : null;
    const u = r.status === 'calculated' ? null : r;
    // Each text with its length: texts from the rows (resolution, assumption, detail) may hold any character.
    const t = (v: string | null) => (v === null ? '~' : `${v.length}:${v}`);
    const key = c
      ? `c${t(c.factorId)}${t(c.unitFrom)}${t(c.unitTo)}${t(c.unitMultiplier)}${t(c.unitAssumption)}${t(c.co2eMethod)}${t(c.resolution)}${t(c.method)}${t(c.gwpSetId)}${idOf(c.conversionSteps)},${idOf(c.match)}`
      : `${u!.status}${t(u!.reason)}${t(u!.detail)}${t(u!.gwpSetId)}${idOf(u!.match)}`;
    let id = byKey.get(key);
    if (id !== undefined) return id;
    const l: Omit<ResultLineage, 'lineageId'> = c
      ? {
          status: 'calculated', factorId: c.factorId, factorSetId: c.factorSetId, factorSourceRef: c.factorSourceRef, scope: c.scope, category: c.category,
          unitFrom: c.unitFrom, unitTo: c.unitTo, unitMultiplier: c.unitMultiplier, unitAssumption: c.unitAssumption, gwpSetId: c.gwpSetId, co2eMethod: c.co2eMethod,
          reason: null, detail: null, resolution: c.resolution, method: c.method, conversion: c.conversionSteps, match: c.match,
        }
      : {
          status: u!.status, factorId: null, factorSetId: null, factorSourceRef: null, scope: null, category: null, unitFrom: null, unitTo: null, unitMultiplier: null,
          unitAssumption: null, gwpSetId: u!.gwpSetId, co2eMethod: null, reason: u!.reason, detail: u!.detail, resolution: null, method: null, conversion: null, match: u!.match ?? null,
        };
    const hex = createHash('md5').update(JSON.stringify(l)).digest('hex');
    id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    byKey.set(key, id);
    if (!byHash.has(id)) {
      byHash.add(id);
      lineages.push({ lineageId: id, ...l });
    }
    return id;
  };

  const entity = cols.entityId;
  const period = cols.periodStart;
  const prefix = `${field(meta.runId)}\t`;
  const mid = `\t${field(meta.orgId)}\t`;
  const chunk = `\t${meta.chunkNo}\t`;
  const parts: string[] = [];
  if (results.length !== cols.length) throw new Error(`encodeResults: ${results.length} results for ${cols.length} activities`);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    // calculateActivities answers in input order: result i is activity i.
    if (r.activityId !== String(cols.ids[i])) throw new Error(`encodeResults: result ${i} is for activity ${r.activityId}, not ${cols.ids[i]}`);
    counts.status[r.status]++;
    if (r.match) (counts.matched[r.match.method] ??= byStatus())[r.status]++;
    const head = prefix + r.activityId + mid + field(entity.values[entity.codes[i]!]) + '\t' + field(period.values[period.codes[i]!]) + chunk + lineageOf(r);
    if (r.status === 'calculated') {
      const g = r.gasKg;
      parts.push(`${head}\t${field(r.co2eKg)}\t${field(g.CO2)}\t${field(g.CH4)}\t${field(g.N2O)}\t${field(otherGases(g))}\t${field(json(r.co2eVariants))}\n`);
    } else parts.push(`${head}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n`);
  }
  let copyText = new TextEncoder().encode(parts.join(''));
  // The buffer is moved to the main thread whole: it must hold this text only.
  if (copyText.byteOffset !== 0 || copyText.byteLength !== copyText.buffer.byteLength) copyText = copyText.slice();
  return { columns: ROW_COLUMNS, copyText, rowCount: results.length, lineages, counts };
}
