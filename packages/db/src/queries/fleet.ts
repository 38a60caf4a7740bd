import type pg from 'pg';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { inPgTransaction } from '../pgExec.ts';
import { CHUNK_MAX_ATTEMPTS, chunkJobKey, orgFlag, TASK } from './runs.ts';

// ---- Dead letters ----------------------------------------------------------------------------

export const DeadLetterStatus = z.enum(['parked', 'retried', 'discarded']);

export const DeadLetter = z.object({
  id: z.string(),
  runId: z.string(),
  orgId: z.string(),
  chunkNo: z.number(),
  task: z.string(),
  payload: z.unknown(),
  error: z.string(),
  attempts: z.number(),
  redrives: z.number(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  status: DeadLetterStatus,
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

const letterColumns = sql.fragment`d.id, d.run_id as "runId", r.org_id as "orgId", d.chunk_no as "chunkNo", d.task, d.payload, d.error, d.attempts, d.redrives,
  d.first_failed_at as "firstFailedAt", d.last_failed_at as "lastFailedAt", d.status, d.resolved_by as "resolvedBy", d.resolved_at as "resolvedAt"`;

export interface ParkInput {
  runId: string;
  chunkNo: number;
  task: string;
  payload: unknown;
  error: string;
  attempts: number;
}

/**
 * Parks a chunk that keeps failing. Nothing is parked for a run that is no longer running (a
 * cancelled or failed run's chunks are moot). A chunk parked again after a retry reuses its letter:
 * back to 'parked', attempts added, first_failed_at kept.
 */
export async function parkChunk(pool: pg.Pool, input: ParkInput): Promise<{ parked: boolean; id?: string }> {
  return inPgTransaction(pool, async (c) => {
    const run = (await c.query<{ status: string }>('select status from calculation_runs where id = $1 for share', [input.runId])).rows[0];
    if (!run || run.status !== 'running') return { parked: false };
    const r = await c.query<{ id: string }>(
      `insert into dead_letters (run_id, chunk_no, task, payload, error, attempts)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (run_id, chunk_no) do update
         set status = 'parked', error = excluded.error, attempts = dead_letters.attempts + excluded.attempts,
             last_failed_at = now(), resolved_by = null, resolved_at = null
       returning id`,
      [input.runId, input.chunkNo, input.task, JSON.stringify(input.payload), input.error, input.attempts],
    );
    return { parked: true, id: r.rows[0]!.id };
  });
}

export async function listDeadLetters(db: CommonQueryMethods, filter: { runId?: string; orgId?: string; status?: 'parked' | 'retried' | 'discarded'; limit?: number }): Promise<DeadLetter[]> {
  const where = [sql.fragment`true`];
  if (filter.runId) where.push(sql.fragment`d.run_id = ${filter.runId}`);
  if (filter.orgId) where.push(sql.fragment`r.org_id = ${filter.orgId}`);
  if (filter.status) where.push(sql.fragment`d.status = ${filter.status}`);
  return [
    ...(await db.any(sql.type(DeadLetter)`
      select ${letterColumns} from dead_letters d join calculation_runs r on r.id = d.run_id
      where ${sql.join(where, sql.fragment` and `)}
      order by d.last_failed_at desc, d.id limit ${filter.limit ?? 500}`)),
  ];
}

export async function findDeadLetter(db: CommonQueryMethods, id: string): Promise<DeadLetter | null> {
  return db.maybeOne(sql.type(DeadLetter)`select ${letterColumns} from dead_letters d join calculation_runs r on r.id = d.run_id where d.id = ${id}`);
}

export async function countParkedChunks(db: CommonQueryMethods, runId?: string): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from dead_letters where status = 'parked' ${runId ? sql.fragment`and run_id = ${runId}` : sql.fragment``}`);
}

export type ResolveOutcome = { status: 'ok'; letter: DeadLetter } | { status: 'not_found' } | { status: 'conflict'; reason: string };

/**
 * Re-enqueues a parked chunk (same job key and flags as planning gave it) and marks the letter
 * retried, in one transaction. Only for a run still running.
 */
export async function retryDeadLetter(pool: pg.Pool, db: CommonQueryMethods, id: string, by: string): Promise<ResolveOutcome> {
  const outcome = await inPgTransaction(pool, async (c): Promise<ResolveOutcome | 'ok'> => {
    const l = (await c.query<{ run_id: string; chunk_no: number; task: string; payload: unknown; status: string; run_status: string; org_id: string }>(
      `select d.run_id, d.chunk_no, d.task, d.payload, d.status, r.status as run_status, r.org_id
       from dead_letters d join calculation_runs r on r.id = d.run_id where d.id = $1 for update of d, r`,
      [id],
    )).rows[0];
    if (!l) return { status: 'not_found' };
    if (l.status !== 'parked') return { status: 'conflict', reason: `dead letter is ${l.status}` };
    if (l.run_status !== 'running') return { status: 'conflict', reason: `run is ${l.run_status}` };
    await c.query(
      `select graphile_worker.add_job($1, $2::json, job_key := $3, max_attempts := $4, flags := $5::text[])`,
      [l.task, JSON.stringify(l.payload), chunkJobKey(l.run_id, l.chunk_no), CHUNK_MAX_ATTEMPTS, [orgFlag(l.org_id)]],
    );
    await c.query(`update dead_letters set status = 'retried', redrives = redrives + 1, resolved_by = $2, resolved_at = now() where id = $1`, [id, by]);
    return 'ok';
  });
  if (outcome !== 'ok') return outcome;
  return { status: 'ok', letter: (await findDeadLetter(db, id))! };
}

/**
 * Discards a parked chunk: the run can never be complete, so it ends 'failed' with the reason; its
 * other parked letters are discarded with it and its pending chunk jobs removed.
 */
export async function discardDeadLetter(pool: pg.Pool, db: CommonQueryMethods, id: string, by: string): Promise<ResolveOutcome> {
  const outcome = await inPgTransaction(pool, async (c): Promise<ResolveOutcome | 'ok'> => {
    const l = (await c.query<{ run_id: string; chunk_no: number; status: string; error: string; run_status: string }>(
      `select d.run_id, d.chunk_no, d.status, d.error, r.status as run_status
       from dead_letters d join calculation_runs r on r.id = d.run_id where d.id = $1 for update of d, r`,
      [id],
    )).rows[0];
    if (!l) return { status: 'not_found' };
    if (l.status !== 'parked') return { status: 'conflict', reason: `dead letter is ${l.status}` };
    await c.query(`update dead_letters set status = 'discarded', resolved_by = $2, resolved_at = now() where run_id = $1 and status = 'parked'`, [l.run_id, by]);
    await c.query(
      `update calculation_runs set status = 'failed', completed_at = now(), error = $2 where id = $1 and status in ('queued', 'running')`,
      [l.run_id, `chunk ${l.chunk_no} discarded by ${by} after it failed: ${l.error}`],
    );
    await removeRunJobs(c, l.run_id);
    return 'ok';
  });
  if (outcome !== 'ok') return outcome;
  return { status: 'ok', letter: (await findDeadLetter(db, id))! };
}

/** Removes a run's pending jobs by key (a running one is only kept from retrying). */
async function removeRunJobs(c: pg.ClientBase, runId: string): Promise<number> {
  const r = await c.query<{ n: number }>(
    `select count(graphile_worker.remove_job(k))::int as n from (
       select 'chunk:' || run_id || ':' || chunk_no as k from calculation_chunks where run_id = $1 and status = 'pending'
       union all select 'plan:' || $1::text union all select 'finalize:' || $1::text) keys`,
    [runId],
  );
  return r.rows[0]?.n ?? 0;
}

// ---- Cancellation ----------------------------------------------------------------------------

export type CancelOutcome = { status: 'cancelled'; jobsRemoved: number } | { status: 'not_found' } | { status: 'conflict'; runStatus: string };

/**
 * Cancels a queued or running run at once: status 'cancelled', pending chunk (and plan/finalise)
 * jobs removed, parked letters discarded. A chunk already running finds the run cancelled at its
 * next checkpoint and writes nothing (commitChunk refuses a run that is not running).
 */
export async function cancelRun(pool: pg.Pool, runId: string, by: string): Promise<CancelOutcome> {
  return inPgTransaction(pool, async (c) => {
    const run = (await c.query<{ status: string }>('select status from calculation_runs where id = $1 for update', [runId])).rows[0];
    if (!run) return { status: 'not_found' };
    if (run.status !== 'queued' && run.status !== 'running') return { status: 'conflict', runStatus: run.status };
    await c.query(`update calculation_runs set status = 'cancelled', completed_at = now(), error = $2 where id = $1`, [runId, `cancelled by ${by}`]);
    await c.query(`update dead_letters set status = 'discarded', resolved_by = $2, resolved_at = now() where run_id = $1 and status = 'parked'`, [runId, `cancel:${by}`]);
    const jobsRemoved = await removeRunJobs(c, runId);
    return { status: 'cancelled', jobsRemoved };
  });
}

/** The run's status, for a chunk's checkpoints. */
export async function runStatus(pool: pg.Pool, runId: string): Promise<string | null> {
  return (await pool.query<{ status: string }>('select status from calculation_runs where id = $1', [runId])).rows[0]?.status ?? null;
}

// ---- Progress --------------------------------------------------------------------------------

export interface ActiveRunProgress {
  runId: string;
  orgId: string;
  ratio: number;
  rowsPerSecond: number;
  chunksParked: number;
}

/** Running runs only (metrics cardinality stays bounded by what is in flight). */
export async function activeRunProgress(pool: pg.Pool): Promise<ActiveRunProgress[]> {
  const r = await pool.query<{ id: string; org_id: string; rows_done: string; rows_total: string | null; secs: number; parked: number }>(
    `select r.id, r.org_id, r.rows_done, r.rows_total, extract(epoch from (now() - r.started_at))::float8 as secs,
            (select count(*)::int from dead_letters d where d.run_id = r.id and d.status = 'parked') as parked
     from calculation_runs r where r.status = 'running' order by r.started_at limit 200`,
  );
  return r.rows.map((x) => {
    const done = Number(x.rows_done);
    const total = x.rows_total === null ? 0 : Number(x.rows_total);
    return { runId: x.id, orgId: x.org_id, ratio: total > 0 ? done / total : 0, rowsPerSecond: x.secs > 0 ? done / x.secs : 0, chunksParked: x.parked };
  });
}

// ---- Fairness --------------------------------------------------------------------------------

export interface OrgFlagLoad {
  /** Running chunk jobs per `org:` flag, leaving out one lock holder (the caller counts its own). */
  locked: Map<string, number>;
  /** Flags of organisations with chunk jobs ready to run now (unlocked, due, attempts left). */
  waiting: Set<string>;
}

/** Reads the public graphile_worker.jobs view: chunk jobs by organisation flag, running and waiting. */
export async function orgFlagLoad(pool: pg.Pool, exceptLockedBy: string | null): Promise<OrgFlagLoad> {
  const r = await pool.query<{ flag: string; locked: number; waiting: number }>(
    `select f.flag,
            count(*) filter (where j.locked_at is not null and j.locked_by is distinct from $2)::int as locked,
            count(*) filter (where j.locked_at is null and j.run_at <= now() and j.attempts < j.max_attempts)::int as waiting
     from graphile_worker.jobs j cross join lateral jsonb_object_keys(j.flags) as f(flag)
     where j.flags is not null and j.task_identifier = $1 and f.flag like 'org:%'
     group by f.flag`,
    [TASK.chunk, exceptLockedBy],
  );
  return {
    locked: new Map(r.rows.filter((x) => x.locked > 0).map((x) => [x.flag, x.locked])),
    waiting: new Set(r.rows.filter((x) => x.waiting > 0).map((x) => x.flag)),
  };
}

// ---- Heartbeats ------------------------------------------------------------------------------

export interface Heartbeat {
  workerId: string;
  workerIds: readonly string[];
  pid: number;
  host: string;
}

/** Registers or refreshes a worker process's heartbeat. */
export async function beat(pool: pg.Pool, h: Heartbeat): Promise<void> {
  await pool.query(
    `insert into worker_heartbeats (worker_id, worker_ids, pid, host) values ($1, $2, $3, $4)
     on conflict (worker_id) do update set worker_ids = excluded.worker_ids, beat_at = now()`,
    [h.workerId, h.workerIds, h.pid, h.host],
  );
}

export async function removeHeartbeat(pool: pg.Pool, workerId: string): Promise<void> {
  await pool.query('delete from worker_heartbeats where worker_id = $1', [workerId]);
}

export interface SweptWorker {
  workerId: string;
  workerIds: string[];
  pid: number;
  host: string;
  beatAt: string;
}

/**
 * Releases the job locks of worker processes whose heartbeat is older than staleAfterMs, and
 * forgets them. One sweeper at a time (transaction-level advisory lock; others skip).
 */
export async function sweepStaleWorkers(pool: pg.Pool, staleAfterMs: number): Promise<SweptWorker[] | null> {
  return inPgTransaction(pool, async (c) => {
    const got = (await c.query<{ ok: boolean }>(`select pg_try_advisory_xact_lock(hashtext('tally_worker_sweep')) as ok`)).rows[0]?.ok;
    if (!got) return null;
    const stale = (await c.query<{ worker_id: string; worker_ids: string[]; pid: number; host: string; beat_at: Date }>(
      `delete from worker_heartbeats where beat_at < now() - make_interval(secs => $1::float8 / 1000)
       returning worker_id, worker_ids, pid, host, beat_at`,
      [staleAfterMs],
    )).rows;
    if (stale.length === 0) return [];
    const ids = [...new Set(stale.flatMap((s) => [s.worker_id, ...s.worker_ids]))];
    await c.query('select graphile_worker.force_unlock_workers($1::text[])', [ids]);
    return stale.map((s) => ({ workerId: s.worker_id, workerIds: s.worker_ids, pid: s.pid, host: s.host, beatAt: new Date(s.beat_at).toISOString() }));
  });
}

/**
 * Releases the locks of this process's own graphile-worker pool once it has stopped (a runner that
 * ended on a lost connection may leave jobs it could not complete or fail still locked by it).
 */
export async function releaseOwnPool(pool: pg.Pool, workerId: string, workerIds: readonly string[]): Promise<void> {
  await inPgTransaction(pool, async (c) => {
    await c.query('select graphile_worker.force_unlock_workers($1::text[])', [[workerId, ...workerIds]]);
    await c.query('delete from worker_heartbeats where worker_id = $1', [workerId]);
  });
}
