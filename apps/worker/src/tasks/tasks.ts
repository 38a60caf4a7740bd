import { createHash } from 'node:crypto';
import { exportChunkToAnalytics, exportRunToAnalytics } from '@tally/analytics';
import { factorKeysFor, MATCHED_ACTIVITY_TYPES, MATCHER_VERSION, type CategoryProfile } from '@tally/core';
import { chunkActivityRows, commitChunk, factorsForRun, failRun, finalizeRun, findChunkWork, findRun, liveMappingRules, loadEconomics, parkChunk, planRun, runStatus, TASK } from '@tally/db';
import type { Task, TaskList } from 'graphile-worker';
import { CalculationError } from '../pool/calculationPool.ts';
import { packActivities } from '../pool/columnar.ts';
import type { TaskContext } from './context.ts';
import { ChunkPayload, RunPayload } from './payloads.ts';

/** Splits a run into chunk jobs (one transaction with the run's state change). */
const planCalculationRun = (ctx: TaskContext): Task => async (raw) => {
  const { runId } = RunPayload.parse(raw);
  const outcome = await planRun(ctx.db.pg, runId);
  ctx.logger.info({ runId, ...outcome }, 'run planned');
  if (outcome.status === 'completed_empty') ctx.metrics.runsFinished.inc({ status: 'complete' });
  if (outcome.status === 'failed') ctx.metrics.runsFinished.inc({ status: 'failed' });
};

/**
 * Calculates one chunk: read activities and their factors (main thread, I/O), calculate in the
 * thread pool (pure), commit results + progress in one transaction that skips a chunk already done.
 */
const calculateChunk = (ctx: TaskContext): Task => async (raw, helpers) => {
  const { runId, chunkNo } = ChunkPayload.parse(raw);
  const work = await findChunkWork(ctx.db.pool, runId, chunkNo);
  if (!work || work.chunkStatus === 'done') return;
  if (work.runStatus !== 'running') {
    ctx.metrics.chunks.inc({ outcome: 'cancelled' });
    return;
  }
  const rows = await chunkActivityRows(ctx.db.pg, work);
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  const types = new Set(rows.map((a) => a.activityType));
  for (const type of types) {
    const k = factorKeysFor(type);
    for (const x of k.keys) keys.add(x);
    for (const x of k.prefixes) prefixes.add(x);
  }
  // Rows matched by text may resolve to any factor of the run's sets.
  let matching = [...types].some((t) => MATCHED_ACTIVITY_TYPES.has(t)) ? await ctx.matchingData(work.factorSetIds) : undefined;
  const [named, gwpSets, economics] = await Promise.all([
    matching ? matching.factors : factorsForRun(ctx.db.pool, work.factorSetIds, [...keys], [...prefixes]),
    ctx.gwpSets(),
    loadEconomics(ctx.db.pool),
  ]);
  let factors = named;
  if (!matching) {
    // An activity type that names no factor of the run's sets ("natural gas", a fuel code) is read
    // as text: that needs the matcher too.
    const known = new Set(named.map((f) => f.activityKey));
    const unknown = [...types].some((t) => {
      const k = factorKeysFor(t);
      return k.prefixes.length === 0 && !k.keys.some((x) => known.has(x));
    });
    if (unknown) {
      matching = await ctx.matchingData(work.factorSetIds);
      factors = matching.factors;
    }
  }
  if (matching && work.matcherVersion !== null && work.matcherVersion !== MATCHER_VERSION) {
    // Planned by a worker of another matcher version (a rolling upgrade): one run never mixes the
    // answers of two matchers, so the chunk is retried until a worker of that version takes it.
    throw new Error(`run ${runId} matches by text with matcher ${work.matcherVersion}, this worker has ${MATCHER_VERSION}: chunk ${chunkNo} left for a worker of that version`);
  }
  const [rules, categoryProfiles] = matching ? await Promise.all([liveMappingRules(ctx.db.pool, work.orgId), ctx.categoryProfiles(runId)]) : [[], undefined];
  helpers.abortSignal?.throwIfAborted();
  // The context's content key: the matcher's factor list is one cached object per set list (its
  // identity names it); a chunk's own few factors, the rules and the economics by their JSON.
  const contextKey = createHash('md5')
    .update(JSON.stringify([work.factorSetIds, work.gwpSetId, work.options, matching ? `matching:${identityOf(matching)}` : factors, rules, economics, identityOf(gwpSets)]))
    .digest('hex');
  let calculation;
  try {
    calculation = await ctx.pool.calculateChunk({ runId, orgId: work.orgId, chunkNo }, packActivities(rows), contextKey, () => ({
      factors,
      matching: matching ? { targets: matching.targets, rules } : undefined,
      factorSetIds: work.factorSetIds,
      gwpSetId: work.gwpSetId,
      gwpSets,
      economics,
      options: work.options,
    }), categoryProfiles && profilesOfChunk(categoryProfiles, rows));
  } catch (e) {
    // The calculation is a pure function of the chunk's data: trying again gives the same error.
    // The pool's own errors (queue full, thread died) are transient and retried.
    if (e instanceof CalculationError) throw new DeterministicChunkError(`calculation failed: ${e.message}`, { cause: e });
    throw e;
  }
  // Checkpoint: a run cancelled while we calculated writes nothing (commitChunk checks again
  // inside its transaction, ordered by the run row's lock).
  if ((await runStatus(ctx.db.pg, runId)) !== 'running') {
    ctx.metrics.chunks.inc({ outcome: 'cancelled' });
    return;
  }
  await ctx.lineages.store(runId, calculation.results.lineages);
  const commit = await commitChunk(ctx.db.pg, runId, chunkNo, calculation.results);
  if (commit.status === 'run_not_running') ctx.metrics.chunks.inc({ outcome: 'cancelled' });
  if (commit.status === 'written') {
    ctx.metrics.chunks.inc({ outcome: 'done' });
    const { status: byStatus, matched } = calculation.counts;
    for (const [status, n] of Object.entries(byStatus)) if (n > 0) ctx.metrics.rowsCalculated.inc({ status }, n);
    for (const [method, counts] of Object.entries(matched)) for (const [status, n] of Object.entries(counts)) if (n > 0) ctx.metrics.rowsMatched.inc({ method, status }, n);
    // The analytics copy grows with the run. Postgres has the chunk already: a failed copy is not
    // the chunk's failure, and finalisation copies whatever chunk is missing.
    if (ctx.analytics) {
      try {
        ctx.metrics.analyticsRowsCopied.inc({ stage: 'chunk' }, await exportChunkToAnalytics(ctx.db, ctx.analytics, runId, chunkNo));
      } catch (e) {
        ctx.metrics.analyticsCopyFailures.inc();
        ctx.logger.warn({ runId, chunkNo, err: (e as Error).message }, 'chunk not copied to analytics; finalisation will copy it');
      }
    }
  }
};

/** The run's profiles of the categories a chunk's rows name. */
function profilesOfChunk(profiles: ReadonlyMap<string, CategoryProfile>, rows: readonly { category?: string | null }[]): Map<string, CategoryProfile> {
  const out = new Map<string, CategoryProfile>();
  for (const r of rows) {
    const p = r.category ? profiles.get(r.category) : undefined;
    if (p) out.set(r.category!, p);
  }
  return out;
}

const identities = new WeakMap<object, number>();
/** A number per object for this process: cached reference data is named by its identity. */
function identityOf(o: object): number {
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = nextIdentity++));
  return id;
}
let nextIdentity = 1;

/**
 * Completes the run's analytics copy (the chunks not yet copied; idempotent), then marks the run
 * complete: a run is never reported complete before its analytics copy exists.
 */
const finalizeCalculationRun = (ctx: TaskContext): Task => async (raw) => {
  const { runId } = RunPayload.parse(raw);
  const run = await findRun(ctx.db.pool, runId);
  if (!run || run.status !== 'running') return;
  if (ctx.analytics) {
    const { rows, copied } = await exportRunToAnalytics(ctx.db, ctx.analytics, runId);
    ctx.metrics.analyticsRowsCopied.inc({ stage: 'finalisation' }, copied);
    ctx.logger.info({ runId, rows, copied }, 'run copied to analytics');
  }
  const outcome = await finalizeRun(ctx.db.pg, runId);
  if (outcome === 'complete') {
    ctx.metrics.runsFinished.inc({ status: 'complete' });
    ctx.logger.info({ runId }, 'run complete');
  }
  if (outcome === 'not_ready') throw new Error(`run ${runId} has chunks still pending; finalisation will retry`);
};

/** An error that a retry cannot cure: the chunk is parked at once instead of using up its attempts. */
export class DeterministicChunkError extends Error {}

/**
 * PostgreSQL data exceptions (class 22) and integrity violations (class 23) come from the chunk's
 * data, not from the moment: retrying writes the same rows and fails the same way.
 */
function isDeterministic(e: unknown): boolean {
  if (e instanceof DeterministicChunkError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * Chunk jobs: a transient error is rethrown (graphile-worker retries with its backoff); on the
 * last attempt, or at once for a deterministic error, the chunk is parked in dead_letters and the
 * job completes, so it stops occupying the queue. The run stays 'running' (never complete) until
 * the operator retries the letter, or ends 'failed' if the operator discards it.
 */
const chunkGuard =
  (ctx: TaskContext, task: Task): Task =>
  async (payload, helpers) => {
    try {
      await task(payload, helpers);
    } catch (e) {
      const parsed = ChunkPayload.safeParse(payload);
      const last = helpers.job.attempts >= helpers.job.max_attempts;
      if (parsed.success && (last || isDeterministic(e))) {
        const error = e instanceof Error ? e.message : String(e);
        const parked = await parkChunk(ctx.db.pg, { ...parsed.data, task: helpers.job.task_identifier, payload: parsed.data, error, attempts: helpers.job.attempts });
        if (parked.parked) {
          ctx.metrics.chunks.inc({ outcome: 'parked' });
          ctx.logger.error({ ...parsed.data, deadLetterId: parked.id, attempts: helpers.job.attempts, err: e }, 'chunk parked in dead_letters');
        } else ctx.metrics.chunks.inc({ outcome: 'cancelled' });
        return;
      }
      ctx.metrics.chunks.inc({ outcome: 'retried' });
      throw e;
    }
  };

export function createTaskList(ctx: TaskContext): TaskList {
  const guard =
    (task: Task): Task =>
    async (payload, helpers) => {
      try {
        await task(payload, helpers);
      } catch (e) {
        // Out of attempts: the run can never complete, so say so instead of leaving it running.
        if (helpers.job.attempts >= helpers.job.max_attempts) {
          const runId = (payload as { runId?: unknown } | null)?.runId;
          if (typeof runId === 'string') {
            await failRun(ctx.db.pg, runId, `${helpers.job.task_identifier} failed after ${helpers.job.attempts} attempts: ${(e as Error).message}`);
            ctx.metrics.runsFinished.inc({ status: 'failed' });
          }
        }
        throw e;
      }
    };
  return {
    [TASK.plan]: guard(planCalculationRun(ctx)),
    [TASK.chunk]: chunkGuard(ctx, calculateChunk(ctx)),
    [TASK.finalize]: guard(finalizeCalculationRun(ctx)),
  };
}
