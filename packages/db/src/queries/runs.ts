import { MATCHER_VERSION, type ActivityInput } from '@tally/core';
import type pg from 'pg';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { copyText } from '../copy.ts';
import { inPgTransaction } from '../pgExec.ts';
import { storeCategoryProfiles } from './categoryProfiles.ts';
import { IncrementalBaseError, IncrementalSummary, planIncremental } from './incremental.ts';

export const RunStatus = z.enum(['queued', 'running', 'complete', 'failed', 'cancelled']);

export const RunOptions = z.object({ radiativeForcing: z.enum(['with', 'without']).optional(), matchThreshold: z.number().min(0).max(1).optional(), shippedLabels: z.boolean().optional() });
export type RunOptions = z.infer<typeof RunOptions>;

export const RunRow = z.object({
  id: z.string(),
  orgId: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  factorSetId: z.string(),
  /** Every set the run resolves in, in priority order (factorSetId is the first published one). */
  factorSetIds: z.array(z.string()),
  gwpSetId: z.string(),
  options: RunOptions,
  status: RunStatus,
  chunkSize: z.number(),
  chunksTotal: z.number().nullable(),
  chunksDone: z.number(),
  rowsTotal: z.string().nullable(),
  rowsDone: z.string(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  /** An incremental run: the complete run it starts from. */
  baseRunId: z.string().nullable(),
  /** An incremental run's plan: what was carried forward, what recalculated and why. */
  incremental: IncrementalSummary.nullable(),
  /** The matcher version (MATCHER_VERSION of @tally/core) the run matched rows by text with, recorded when it is planned. */
  matcherVersion: z.string().nullable(),
});
export type RunRow = z.infer<typeof RunRow>;

const runColumns = sql.fragment`id, org_id as "orgId", period_start as "periodStart", period_end as "periodEnd",
  factor_set_id as "factorSetId", coalesce(factor_set_ids, array[factor_set_id]) as "factorSetIds", gwp_set_id as "gwpSetId", options, status, chunk_size as "chunkSize", chunks_total as "chunksTotal",
  chunks_done as "chunksDone", rows_total as "rowsTotal", rows_done as "rowsDone", error, created_at as "createdAt",
  started_at as "startedAt", completed_at as "completedAt", base_run_id as "baseRunId", incremental, matcher_version as "matcherVersion"`;

export const TASK = {
  plan: 'plan_calculation_run',
  chunk: 'calculate_chunk',
  finalize: 'finalize_calculation_run',
} as const;

/** The graphile-worker job key of a chunk: pending chunk jobs are found and removed by it. */
export const chunkJobKey = (runId: string, chunkNo: number) => `chunk:${runId}:${chunkNo}`;
/** The job flag of an organisation's chunks: the per-organisation concurrency limit forbids it. */
export const orgFlag = (orgId: string) => `org:${orgId}`;
export const CHUNK_MAX_ATTEMPTS = 8;

/**
 * Records a run and enqueues its planning job (priority -1: planning and finalising are short and
 * unblock a whole run, so they never wait behind another run's chunks) in the same transaction: either both exist or
 * neither (graphile-worker's add_job is plain SQL in our transaction).
 */
export async function createRun(
  pool: DatabasePool,
  input: {
    orgId: string;
    periodStart: string;
    periodEnd: string;
    factorSetId: string;
    factorSetIds?: readonly string[];
    gwpSetId: string;
    chunkSize: number;
    options?: RunOptions;
    /** Recalculate only what changed since this complete run of the same organisation and period. */
    baseRunId?: string;
  },
): Promise<RunRow> {
  const setIds = input.factorSetIds && input.factorSetIds.length > 0 ? input.factorSetIds : [input.factorSetId];
  return pool.transaction(async (tx) => {
    const run = await tx.one(sql.type(RunRow)`
      insert into calculation_runs (org_id, period_start, period_end, factor_set_id, factor_set_ids, gwp_set_id, chunk_size, options, base_run_id)
      values (${input.orgId}, ${input.periodStart}, ${input.periodEnd}, ${input.factorSetId}, ${sql.array(setIds, 'text')}, ${input.gwpSetId}, ${input.chunkSize}, ${sql.jsonb(input.options ?? {})}, ${input.baseRunId ?? null})
      returning ${runColumns}`);
    await tx.query(sql.unsafe`
      select graphile_worker.add_job(${TASK.plan}, json_build_object('runId', ${run.id}::text),
        job_key := ${'plan:' + run.id}, max_attempts := 10, priority := -1)`);
    return run;
  });
}

export async function findRun(db: CommonQueryMethods, runId: string): Promise<RunRow | null> {
  return db.maybeOne(sql.type(RunRow)`select ${runColumns} from calculation_runs where id = ${runId}`);
}

export async function latestCompleteRun(db: CommonQueryMethods, orgId: string, periodStart: string, periodEnd: string): Promise<RunRow | null> {
  return db.maybeOne(sql.type(RunRow)`
    select ${runColumns} from calculation_runs
    where org_id = ${orgId} and status = 'complete' and period_start = ${periodStart} and period_end = ${periodEnd}
    order by completed_at desc, id limit 1`);
}

interface JobSpec {
  identifier: string;
  payload: unknown;
  job_key?: string;
  max_attempts?: number;
  priority?: number;
  flags?: string[];
}

async function addJobs(client: pg.ClientBase, specs: readonly JobSpec[]): Promise<void> {
  if (specs.length === 0) return;
  await client.query(`select 1 from graphile_worker.add_jobs(array(select json_populate_recordset(null::graphile_worker.job_spec, $1::json)))`, [JSON.stringify(specs)]);
}

export interface PlanOutcome {
  status: 'planned' | 'already_planned' | 'completed_empty' | 'not_found' | 'failed';
  chunks: number;
  rows: string;
}

/**
 * Splits the run's activities into contiguous id ranges of chunk_size rows and enqueues one job
 * per chunk, in one transaction with the run's state change. Safe to retry: a run already past
 * 'queued' is left alone.
 */
export async function planRun(pool: pg.Pool, runId: string): Promise<PlanOutcome> {
  const planned = await inPgTransaction(pool, async (c): Promise<PlanOutcome | IncrementalBaseError> => {
    const run = (await c.query<{ id: string; org_id: string; period_start: string; period_end: string; status: string; chunk_size: number; factor_set_ids: string[]; gwp_set_id: string; options: unknown; base_run_id: string | null }>(
      `select id, org_id, period_start, period_end, status, chunk_size, coalesce(factor_set_ids, array[factor_set_id]) as factor_set_ids, gwp_set_id, options, base_run_id
       from calculation_runs where id = $1 for update`,
      [runId],
    )).rows[0];
    if (!run) return { status: 'not_found', chunks: 0, rows: '0' };
    if (run.status !== 'queued') return { status: 'already_planned', chunks: 0, rows: '0' };
    // The matcher this worker calculates with: what an incremental run compares its base's with.
    await c.query(`update calculation_runs set matcher_version = $2 where id = $1`, [runId, MATCHER_VERSION]);
    // The snapshot of the organisation's categories the matcher reads (an incremental plan compares it).
    await storeCategoryProfiles(c, run);
    let plan: IncrementalSummary | undefined;
    if (run.base_run_id) {
      try {
        plan = await planIncremental(c, { ...run, base_run_id: run.base_run_id });
      } catch (e) {
        if (e instanceof IncrementalBaseError) return e;
        throw e;
      }
    }
    // An incremental run's chunks cover only the activities it recalculates.
    const [source, sourceParams] =
      plan?.mode === 'incremental'
        ? [`select activity_id as id from calculation_run_changes where run_id = $1`, []]
        : [`select id from activities where org_id = $3 and period_start between $4 and $5`, [run.org_id, run.period_start, run.period_end]];
    const chunks = await c.query<{ chunk_no: number; first_id: string; last_id: string; n: number }>(
      `insert into calculation_chunks (run_id, chunk_no, first_activity_id, last_activity_id, row_count)
       select $1, chunk_no, min(id), max(id), count(*)
       from (select id, ((row_number() over (order by id)) - 1) / $2 as chunk_no from (${source}) s) a
       group by chunk_no
       returning chunk_no, first_activity_id as first_id, last_activity_id as last_id, row_count as n`,
      [runId, run.chunk_size, ...sourceParams],
    );
    const rows = chunks.rows.reduce((s, r) => s + Number(r.n), 0);
    if (chunks.rows.length === 0 && (plan?.carried ?? 0) > 0) {
      // Everything carried forward: nothing to calculate, but the run still finalises (its
      // analytics copy is made there).
      await c.query(`update calculation_runs set status = 'running', chunks_total = 0, rows_total = 0, started_at = now() where id = $1`, [runId]);
      await addJobs(c, [{ identifier: TASK.finalize, payload: { runId }, job_key: `finalize:${runId}`, max_attempts: 10, priority: -1 }]);
      return { status: 'planned', chunks: 0, rows: '0' };
    }
    if (chunks.rows.length === 0) {
      await c.query(`update calculation_runs set status = 'complete', chunks_total = 0, rows_total = 0, started_at = now(), completed_at = now() where id = $1`, [runId]);
      return { status: 'completed_empty', chunks: 0, rows: '0' };
    }
    await c.query(`update calculation_runs set status = 'running', chunks_total = $2, rows_total = $3, started_at = now() where id = $1`, [runId, chunks.rows.length, rows]);
    await addJobs(
      c,
      chunks.rows.map((ch) => ({
        identifier: TASK.chunk,
        payload: { runId, chunkNo: ch.chunk_no },
        job_key: chunkJobKey(runId, ch.chunk_no),
        max_attempts: CHUNK_MAX_ATTEMPTS,
        flags: [orgFlag(run.org_id)],
      })),
    );
    return { status: 'planned', chunks: chunks.rows.length, rows: String(rows) };
  });
  if (!(planned instanceof IncrementalBaseError)) return planned;
  // The base run cannot serve (another period, not complete...): retrying will not change that.
  await failRun(pool, runId, `incremental recalculation: ${planned.message}`);
  return { status: 'failed', chunks: 0, rows: '0' };
}

const ChunkWork = z.object({
  runId: z.string(),
  orgId: z.string(),
  factorSetId: z.string(),
  factorSetIds: z.array(z.string()),
  options: RunOptions,
  gwpSetId: z.string(),
  runStatus: RunStatus,
  chunkStatus: z.enum(['pending', 'done']),
  periodStart: z.string(),
  periodEnd: z.string(),
  firstActivityId: z.string(),
  lastActivityId: z.string(),
  /** The chunk's range holds carried-forward activities too: read only the recalculated ones. */
  incremental: z.boolean(),
  /** The matcher version the run was planned with (null: planned before versions were recorded). */
  matcherVersion: z.string().nullable(),
});
export type ChunkWork = z.infer<typeof ChunkWork>;

export async function findChunkWork(db: CommonQueryMethods, runId: string, chunkNo: number): Promise<ChunkWork | null> {
  return db.maybeOne(sql.type(ChunkWork)`
    select r.id as "runId", r.org_id as "orgId", r.factor_set_id as "factorSetId", coalesce(r.factor_set_ids, array[r.factor_set_id]) as "factorSetIds", r.options, r.gwp_set_id as "gwpSetId", r.status as "runStatus",
           c.status as "chunkStatus", r.period_start as "periodStart", r.period_end as "periodEnd",
           c.first_activity_id as "firstActivityId", c.last_activity_id as "lastActivityId",
           coalesce(r.incremental ->> 'mode' = 'incremental', false) as "incremental", r.matcher_version as "matcherVersion"
    from calculation_chunks c join calculation_runs r on r.id = c.run_id
    where c.run_id = ${runId} and c.chunk_no = ${chunkNo}`);
}

/** One activity of a chunk as read, before it becomes a calculation input. */
export interface ChunkActivityRow {
  id: string;
  activityType: string;
  quantity: string;
  unit: string;
  entityId: string;
  periodStart: string;
  country: string | null;
  supplier: string | null;
  amount: string | null;
  currency: string | null;
  attributes: ActivityInput['attributes'];
  description: string | null;
  account: string | null;
  category: string | null;
}

type ChunkRow = [string, string, string, string, string, string, string | null, string | null, string | null, string | null, ActivityInput['attributes'], string | null, string | null, string | null];

export async function chunkActivityRows(pool: pg.Pool, work: ChunkWork): Promise<ChunkActivityRow[]> {
  const r = await pool.query<ChunkRow>({
    text: `select a.id, a.activity_type, a.quantity, a.unit, a.entity_id, a.period_start, e.country, a.supplier, a.amount, a.currency, a.attributes, a.description, a.account, a.category
           from activities a join entities e on e.id = a.entity_id
           where a.org_id = $1 and a.id between $2 and $3 and a.period_start between $4 and $5
             ${work.incremental ? 'and exists (select 1 from calculation_run_changes ch where ch.run_id = $6 and ch.activity_id = a.id)' : ''}
           order by a.id`,
    values: [work.orgId, work.firstActivityId, work.lastActivityId, work.periodStart, work.periodEnd, ...(work.incremental ? [work.runId] : [])],
    rowMode: 'array',
  });
  return r.rows.map(([id, activityType, quantity, unit, entityId, periodStart, country, supplier, amount, currency, attributes, description, account, category]) => ({
    id, activityType, quantity, unit, entityId, periodStart, country, supplier, amount, currency, attributes, description, account, category,
  }));
}

/**
 * The columns of calculation_result_rows a chunk writes, in this order: what an encoder of a
 * chunk's results (the calculation thread) writes as COPY text.
 */
export const RESULT_ROW_COLUMNS = [
  'run_id', 'activity_id', 'org_id', 'entity_id', 'period_start', 'chunk_no', 'lineage_id', 'co2e_kg', 'co2_kg', 'ch4_kg', 'n2o_kg', 'other_gas_kg', 'co2e_variants',
] as const;

/** How results were made, stored once per run and distinct lineage (calculation_lineages). */
export interface ResultLineage {
  /** A content hash of the other fields, as a uuid. */
  lineageId: string;
  status: 'calculated' | 'unmatched' | 'failed';
  factorId: string | null;
  factorSetId: string | null;
  factorSourceRef: string | null;
  scope: number | null;
  category: string | null;
  unitFrom: string | null;
  unitTo: string | null;
  unitMultiplier: string | null;
  unitAssumption: string | null;
  gwpSetId: string;
  co2eMethod: string | null;
  reason: string | null;
  detail: string | null;
  resolution: string | null;
  method: string | null;
  conversion: unknown;
  match: unknown;
}

/** A chunk's results ready to write: COPY text of calculation_result_rows and the lineages it names. */
export interface EncodedChunkResults {
  /** The columns the text was written for: RESULT_ROW_COLUMNS. */
  columns: readonly string[];
  copyText: Uint8Array;
  rowCount: number;
  lineages: readonly ResultLineage[];
}

export interface ChunkCommit {
  status: 'written' | 'already_done' | 'run_not_running';
  runComplete: boolean;
}

/**
 * Stores a chunk's lineages (each once per run). Committed on its own, before the chunk's rows:
 * chunks of a run share lineages, and one chunk's open transaction must not hold up the others;
 * a lineage no row names is never read (readers join from the rows). Sorted (a function scan
 * keeps its order), so two chunks inserting the same lineages lock them in the same order.
 */
export async function insertLineages(pool: pg.Pool | pg.ClientBase, runId: string, lineages: readonly ResultLineage[]): Promise<void> {
  if (lineages.length === 0) return;
  const sorted = [...lineages].sort((x, y) => (x.lineageId < y.lineageId ? -1 : x.lineageId > y.lineageId ? 1 : 0));
  await pool.query(
    `insert into calculation_lineages (run_id, lineage_id, status, factor_id, factor_set_id, factor_source_ref, scope, category, unit_from, unit_to,
       unit_multiplier, unit_assumption, gwp_set_id, co2e_method, reason, detail, resolution, method, conversion, match)
     select $1, x."lineageId", x.status, x."factorId", x."factorSetId", x."factorSourceRef", x.scope, x.category, x."unitFrom", x."unitTo",
       x."unitMultiplier", x."unitAssumption", x."gwpSetId", x."co2eMethod", x.reason, x.detail, x.resolution, x.method, x.conversion, x.match
     from jsonb_to_recordset($2::jsonb) as x("lineageId" uuid, status text, "factorId" text, "factorSetId" text,
       "factorSourceRef" text, scope smallint, category text, "unitFrom" text, "unitTo" text, "unitMultiplier" numeric, "unitAssumption" text,
       "gwpSetId" text, "co2eMethod" text, reason text, detail text, resolution text, method text, conversion jsonb, match jsonb)
     on conflict do nothing`,
    [runId, JSON.stringify(sorted)],
  );
}

/**
 * Writes a chunk's results and its progress in one transaction. The chunk row is locked first and
 * a chunk already 'done' writes nothing, so a retried or duplicated job never double-counts; the
 * (run_id, activity_id) primary key backs this up. The last chunk enqueues finalisation, keyed so
 * it exists once. The lineages the rows name must be stored first (insertLineages).
 */
export async function commitChunk(pool: pg.Pool, runId: string, chunkNo: number, results: EncodedChunkResults): Promise<ChunkCommit> {
  if (results.columns.join() !== RESULT_ROW_COLUMNS.join()) throw new Error(`commitChunk: results encoded for columns ${results.columns.join(', ')}`);
  try {
    return await commitChunkTx(pool, runId, chunkNo, results);
  } catch (e) {
    if (e instanceof RunNotRunning) return { status: 'run_not_running', runComplete: false };
    throw e;
  }
}

/** Thrown inside the commit transaction to roll it back when the run was cancelled meanwhile. */
class RunNotRunning extends Error {}

async function commitChunkTx(pool: pg.Pool, runId: string, chunkNo: number, results: EncodedChunkResults): Promise<ChunkCommit> {
  return inPgTransaction(pool, async (c) => {
    const chunk = (await c.query<{ status: string; run_status: string }>(
      `select c.status, r.status as run_status from calculation_chunks c join calculation_runs r on r.id = c.run_id
       where c.run_id = $1 and c.chunk_no = $2 for update of c`,
      [runId, chunkNo],
    )).rows[0];
    if (!chunk || chunk.status === 'done') return { status: 'already_done', runComplete: false };
    if (chunk.run_status !== 'running') return { status: 'run_not_running', runComplete: false };
    // Rows name their lineage without a per-row foreign key (its check would lock a row per
    // result): make sure here, once per chunk, that every lineage they name is stored.
    const named = results.lineages.map((l) => l.lineageId);
    const present = (await c.query<{ n: number }>(`select count(*)::int as n from calculation_lineages where run_id = $1 and lineage_id = any($2::uuid[])`, [runId, named])).rows[0]!.n;
    if (present < new Set(named).size) await insertLineages(c, runId, results.lineages);
    const written = await copyText(c, 'calculation_result_rows', RESULT_ROW_COLUMNS, results.copyText);
    if (written !== results.rowCount) throw new Error(`chunk ${chunkNo}: ${written} result rows written, ${results.rowCount} expected`);
    await c.query(`update calculation_chunks set status = 'done', completed_at = now() where run_id = $1 and chunk_no = $2`, [runId, chunkNo]);
    // A chunk done by a stale duplicate of a parked job resolves its letter.
    await c.query(`update dead_letters set status = 'retried', resolved_by = 'worker', resolved_at = now() where run_id = $1 and chunk_no = $2 and status = 'parked'`, [runId, chunkNo]);
    const progress = (await c.query<{ chunks_done: number; chunks_total: number }>(
      `update calculation_runs set chunks_done = chunks_done + 1, rows_done = rows_done + $2 where id = $1 and status = 'running' returning chunks_done, chunks_total`,
      [runId, results.rowCount],
    )).rows[0];
    // Cancelled (or failed) while this chunk was being written: the run row's lock ordered us after
    // that change, so roll everything back; nothing is written for a run that is not running.
    if (!progress) throw new RunNotRunning();
    const runComplete = progress.chunks_done === progress.chunks_total;
    if (runComplete) await addJobs(c, [{ identifier: TASK.finalize, payload: { runId }, job_key: `finalize:${runId}`, max_attempts: 10, priority: -1 }]);
    return { status: 'written', runComplete };
  });
}

/** Marks a run complete once every chunk is done. Idempotent. */
export async function finalizeRun(pool: pg.Pool, runId: string): Promise<'complete' | 'not_ready' | 'already_final'> {
  return inPgTransaction(pool, async (c) => {
    const run = (await c.query<{ status: string; chunks_done: number; chunks_total: number | null }>(
      'select status, chunks_done, chunks_total from calculation_runs where id = $1 for update',
      [runId],
    )).rows[0];
    if (!run || run.status !== 'running') return 'already_final';
    if (run.chunks_total === null || run.chunks_done < run.chunks_total) return 'not_ready';
    await c.query(`update calculation_runs set status = 'complete', completed_at = now() where id = $1`, [runId]);
    return 'complete';
  });
}

export async function failRun(pool: pg.Pool, runId: string, error: string): Promise<void> {
  await pool.query(`update calculation_runs set status = 'failed', error = $2, completed_at = now() where id = $1 and status in ('queued', 'running')`, [runId, error]);
}
