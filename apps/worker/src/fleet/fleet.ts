import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { activeRunProgress, beat, countParkedChunks, orgFlagLoad, removeHeartbeat, sweepStaleWorkers, TASK, type Db, type OrgFlagLoad } from '@tally/db';
import type { WorkerMetrics } from '@tally/metrics';
import type { Job, WorkerEvents } from 'graphile-worker';
import type { Logger } from 'pino';

export interface FleetOptions {
  /** Chunks of one organisation running at once, fleet-wide (0: no limit). */
  orgMaxConcurrentChunks: number;
  heartbeatIntervalMs: number;
  /** A worker process whose last beat is older than this is dead: its job locks are released. */
  staleAfterMs: number;
  sweepIntervalMs: number;
}

export interface Fleet {
  /** Pass to graphile-worker's run() so pool and worker creation are seen from the start. */
  events: WorkerEvents;
  forbiddenFlags: () => Promise<string[]>;
  /** graphile-worker's pool id: the `locked_by` of every job this process holds. */
  readonly poolId: string | undefined;
  start(): void;
  /** Stops the timers and forgets this process's heartbeat (call after the runner has stopped). */
  stop(): Promise<void>;
  /** Forgets the current graphile-worker pool (it has stopped) and returns its ids. */
  retirePool(): { poolId: string; workerIds: string[] } | undefined;
  /** One heartbeat / sweep / metrics tick now (tests). */
  tick(): Promise<void>;
}

const FLAGS_CACHE_MS = 1_000;
const MUTEX_MAX_HOLD_MS = 5_000;

/**
 * What graphile-worker leaves to us for a fleet of worker processes:
 * - heartbeats: a row per process, keyed by the pool id its jobs are locked under; registered
 *   before any job is taken (forbiddenFlags waits for it), refreshed every heartbeatIntervalMs;
 * - stale locks: a sweep releases the locks of processes whose beat is older than staleAfterMs
 *   (graphile_worker.force_unlock_workers), so their chunks run again in seconds, not 4 hours;
 * - fairness: chunk jobs carry the flag `org:<orgId>`; organisations at their limit of running
 *   chunks are forbidden flags while another organisation has chunks waiting (work-conserving).
 *   This process's own running chunks are counted exactly (job fetches are serialised within the
 *   process); other processes' and the waiting ones from the jobs view, cached 1 s;
 * - gauges of parked chunks and of active runs' progress.
 */
export function createFleet(db: Db, metrics: WorkerMetrics, logger: Logger, options: FleetOptions): Fleet {
  const events = new EventEmitter() as unknown as WorkerEvents;
  const host = hostname();
  let poolId: string | undefined;
  let workerIds: string[] = [];
  let registered: Promise<void> | undefined;
  let healthySince: number | undefined;
  let timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const beatOnce = async () => {
    if (!poolId) return;
    try {
      await beat(db.pg, { workerId: poolId, workerIds, pid: process.pid, host });
      healthySince ??= Date.now();
    } catch (e) {
      healthySince = undefined;
      metrics.heartbeatFailures.inc();
      logger.warn({ err: e }, 'heartbeat failed');
      throw e;
    }
  };
  const ensureRegistered = () => {
    registered ??= beatOnce().catch((e: unknown) => {
      registered = undefined;
      throw e;
    });
    return registered;
  };

  events.on('pool:create', ({ workerPool }) => {
    poolId ??= workerPool.id;
    void ensureRegistered().catch(() => undefined);
  });
  events.on('worker:create', ({ worker }) => {
    workerIds.push(worker.workerId);
  });

  // ---- fairness --------------------------------------------------------------------------------
  const local = new Map<string, number>();
  const jobFlags = new WeakMap<object, string[]>();
  let others: { at: number; load: OrgFlagLoad } | undefined;
  let othersLoading: Promise<OrgFlagLoad> | undefined;
  const fleetLoad = async () => {
    if (others && Date.now() - others.at < FLAGS_CACHE_MS) return others.load;
    othersLoading ??= orgFlagLoad(db.pg, poolId ?? null).then(
      (load) => {
        others = { at: Date.now(), load };
        othersLoading = undefined;
        return load;
      },
      (e: unknown) => {
        othersLoading = undefined;
        throw e;
      },
    );
    return othersLoading;
  };

  // One worker of this process at a time between asking for forbidden flags and taking a job, so
  // the local count is exact when the next one asks. Released by the event that ends that window.
  let held: { release: () => void; timer: NodeJS.Timeout } | undefined;
  let queue: Promise<void> = Promise.resolve();
  const acquire = async () => {
    const prior = queue;
    let release!: () => void;
    queue = new Promise<void>((r) => (release = r));
    await prior;
    const timer = setTimeout(releaseHeld, MUTEX_MAX_HOLD_MS);
    held = { release, timer };
  };
  function releaseHeld() {
    const h = held;
    if (!h) return;
    held = undefined;
    clearTimeout(h.timer);
    h.release();
  }
  const orgFlagsOf = (job: Job) => (job.task_identifier === TASK.chunk && job.flags ? Object.keys(job.flags).filter((f) => f.startsWith('org:')) : []);
  events.on('job:start', ({ job }) => {
    const flags = orgFlagsOf(job);
    if (flags.length > 0) {
      jobFlags.set(job, flags);
      for (const f of flags) local.set(f, (local.get(f) ?? 0) + 1);
    }
    releaseHeld();
  });
  events.on('worker:getJob:empty', releaseHeld);
  events.on('worker:getJob:error', releaseHeld);
  events.on('job:complete', ({ job }) => {
    for (const f of jobFlags.get(job) ?? []) {
      const n = (local.get(f) ?? 1) - 1;
      if (n > 0) local.set(f, n);
      else local.delete(f);
    }
    jobFlags.delete(job);
  });

  const forbiddenFlags = async (): Promise<string[]> => {
    // Every exit from here is followed by exactly one of job:start, getJob:empty, getJob:error.
    await acquire();
    // No job is locked before this process's heartbeat exists: a crash is always detectable.
    await ensureRegistered();
    const limit = options.orgMaxConcurrentChunks;
    if (limit <= 0) return [];
    const load = await fleetLoad();
    const running = (f: string) => (load.locked.get(f) ?? 0) + (local.get(f) ?? 0);
    // Work-conserving: an organisation at its limit is held back only while another organisation
    // below its limit has chunks waiting; alone, it may use the whole fleet.
    const atLimit = [...new Set([...load.locked.keys(), ...local.keys()])].filter((f) => running(f) >= limit);
    if (atLimit.length === 0) return [];
    const othersWaiting = [...load.waiting].some((f) => running(f) < limit);
    return othersWaiting ? atLimit : [];
  };

  // ---- sweep and gauges -------------------------------------------------------------------------
  const sweep = async () => {
    // Only a process that has itself been beating for the whole timeout may judge others: after a
    // database outage every live process has had the time to beat again.
    if (healthySince === undefined || Date.now() - healthySince < options.staleAfterMs) return;
    const swept = await sweepStaleWorkers(db.pg, options.staleAfterMs);
    if (swept && swept.length > 0) {
      metrics.staleWorkersUnlocked.inc(swept.length);
      for (const w of swept) logger.warn({ deadWorker: w }, 'released the job locks of a worker process with no heartbeat');
    }
  };
  const gauges = async () => {
    const [parked, runs] = await Promise.all([countParkedChunks(db.pool), activeRunProgress(db.pg)]);
    metrics.deadLettersParked.set(parked);
    metrics.runProgress.reset();
    metrics.runRowsPerSecond.reset();
    metrics.runChunksParked.reset();
    for (const r of runs) {
      metrics.runProgress.set({ run_id: r.runId }, r.ratio);
      metrics.runRowsPerSecond.set({ run_id: r.runId }, r.rowsPerSecond);
      metrics.runChunksParked.set({ run_id: r.runId }, r.chunksParked);
    }
  };
  const every = (ms: number, fn: () => Promise<void>, what: string) => {
    const t = setInterval(() => {
      if (!stopped) fn().catch((e: unknown) => logger.warn({ err: e }, `${what} failed`));
    }, ms);
    t.unref();
    timers.push(t);
  };

  return {
    events,
    forbiddenFlags,
    get poolId() {
      return poolId;
    },
    retirePool() {
      const retired = poolId ? { poolId, workerIds } : undefined;
      poolId = undefined;
      workerIds = [];
      registered = undefined;
      healthySince = undefined;
      others = undefined;
      local.clear();
      releaseHeld();
      return retired;
    },
    start() {
      every(options.heartbeatIntervalMs, beatOnce, 'heartbeat');
      every(options.sweepIntervalMs, async () => {
        await sweep();
        await gauges();
      }, 'sweep');
    },
    async tick() {
      await beatOnce();
      await sweep();
      await gauges();
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      timers = [];
      releaseHeld();
      if (poolId) await removeHeartbeat(db.pg, poolId).catch((e: unknown) => logger.warn({ err: e }, 'could not remove heartbeat'));
    },
  };
}
