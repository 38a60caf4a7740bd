import { createServer, type Server } from 'node:http';
import { createAnalyticsClient, migrateAnalytics, type ClickHouseClient } from '@tally/analytics';
import { createDb, releaseOwnPool } from '@tally/db';
import { bindWorkerEvents, createRegistry, createWorkerMetrics } from '@tally/metrics';
import { Logger as GraphileLogger, run, type Runner } from 'graphile-worker';
import { pino, type Logger } from 'pino';
import { FLEET_DEFAULTS, parseWorkerEnv, type WorkerEnv } from './env.ts';
import { createFleet, type Fleet } from './fleet/fleet.ts';
import { createCalculationPool } from './pool/calculationPool.ts';
import { createTaskContext } from './tasks/context.ts';
import { createTaskList } from './tasks/tasks.ts';

/** How long a pool that stopped on its own may take to shut down before it is forced, then abandoned. */
const STUCK_POOL_MS = 5_000;

export interface WorkerHandle {
  runner: Runner;
  fleet: Fleet;
  metricsPort: number;
  stop(): Promise<void>;
}

function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const l = level === 'warning' ? 'warn' : level === 'error' ? 'error' : level === 'debug' ? 'debug' : 'info';
    logger[l]({ ...scope, ...meta }, message);
  });
}

/** Composition root of a worker process: graphile-worker runner, thread pool, /metrics. */
export interface WorkerOptions {
  noHandleSignals?: boolean;
  /** An analytics client shared with the caller (the single-process demo); else CLICKHOUSE_URL. */
  analytics?: ClickHouseClient;
}

export async function startWorker(env: WorkerEnv = parseWorkerEnv(), options: WorkerOptions = {}): Promise<WorkerHandle> {
  const logger = pino({ level: env.LOG_LEVEL, name: 'worker' });
  const registry = createRegistry('worker');
  const metrics = createWorkerMetrics(registry);
  const db = await createDb(env.DATABASE_URL, { applicationName: 'tally-worker', maxConnections: env.WORKER_CONCURRENCY + 2 });
  const pool = createCalculationPool(env.CALC_THREADS, metrics, env.CALC_THREAD_HEAP_MB ?? FLEET_DEFAULTS.CALC_THREAD_HEAP_MB);
  const analytics = options.analytics ?? (env.CLICKHOUSE_URL ? await createAnalyticsClient({ url: env.CLICKHOUSE_URL }) : undefined);
  if (analytics) await migrateAnalytics(analytics);
  const ctx = createTaskContext(db, pool, metrics, logger, analytics);

  const fleet = createFleet(db, metrics, logger, {
    orgMaxConcurrentChunks: env.ORG_MAX_CONCURRENT_CHUNKS ?? FLEET_DEFAULTS.ORG_MAX_CONCURRENT_CHUNKS,
    heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS ?? FLEET_DEFAULTS.HEARTBEAT_INTERVAL_MS,
    staleAfterMs: env.WORKER_STALE_AFTER_MS ?? FLEET_DEFAULTS.WORKER_STALE_AFTER_MS,
    sweepIntervalMs: env.SWEEP_INTERVAL_MS ?? FLEET_DEFAULTS.SWEEP_INTERVAL_MS,
  });
  // Bound before run(): jobs may start before it resolves.
  bindWorkerEvents(fleet.events, metrics);

  const taskList = createTaskList(ctx);
  const startRunner = () =>
    run({
      connectionString: env.DATABASE_URL,
      concurrency: env.WORKER_CONCURRENCY,
      maxPoolSize: Math.max(10, env.WORKER_CONCURRENCY + 2),
      pollInterval: 1000,
      // Batched completion (delay 0 = next tick): when a job's outcome cannot be recorded (lost
      // connection) the pool shuts down cleanly and is restarted below; unbatched, graphile-worker
      // 0.18 leaves that rejection unhandled and the job locked by this live process for 4 hours.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      noHandleSignals: options.noHandleSignals ?? false,
      taskList,
      logger: graphileLogger(logger),
      events: fleet.events,
      forbiddenFlags: fleet.forbiddenFlags,
    });
  let runner = await startRunner();
  fleet.start();

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.url === '/readyz') {
      db.pg.query('select 1').then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}'),
        () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"not ready"}'),
      );
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(env.METRICS_PORT, env.METRICS_HOST, resolve));
  const address = server.address();
  const metricsPort = typeof address === 'object' && address ? address.port : env.METRICS_PORT;
  logger.info({ metricsPort, concurrency: env.WORKER_CONCURRENCY, threads: env.CALC_THREADS }, 'worker started');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await runner.stop().catch(() => undefined);
      await fleet.stop();
      await pool.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      if (analytics && !options.analytics) await analytics.close();
    })());
  // graphile-worker traps signals itself; when its runner ends on a signal, release everything
  // else. When it ends on its own (the database went away mid-job), release the locks its pool
  // still holds and start a new runner once the database answers again.
  let signalled = false;
  fleet.events.on('gracefulShutdown', () => {
    signalled = true;
  });
  const watch = (r: Runner) => {
    // A pool that shuts itself down after a lost connection (its job outcome could not be
    // recorded) can hang in graceful shutdown while its workers are gone, and this process keeps
    // beating for it, so no sweep frees its locks: after a grace period force it, and if even that
    // does not settle, abandon it (its locks are released below; chunk commits are idempotent).
    let abandon!: () => void;
    const abandoned = new Promise<void>((res) => (abandon = res));
    const onPoolShutdown = ({ workerPool }: { workerPool: { id: string; forcefulShutdown(message: string): unknown } }) => {
      if (stopping || signalled || workerPool.id !== fleet.poolId) return;
      setTimeout(() => {
        logger.warn({ pool: workerPool.id }, 'graphile-worker pool still shutting down; forcing it');
        void Promise.resolve(workerPool.forcefulShutdown('stuck after a lost database connection')).catch(() => undefined);
        setTimeout(abandon, STUCK_POOL_MS).unref();
      }, STUCK_POOL_MS).unref();
    };
    fleet.events.on('pool:gracefulShutdown', onPoolShutdown);
    void Promise.race([r.promise.then(() => undefined, () => undefined), abandoned])
      .then(async () => {
        fleet.events.off('pool:gracefulShutdown', onPoolShutdown);
        if (stopping || signalled) return void stop();
        const dead = fleet.retirePool();
        logger.error({ pool: dead?.poolId }, 'graphile-worker runner stopped unexpectedly; restarting it');
        for (let attempt = 0; !stopping; attempt++) {
          try {
            if (dead) await releaseOwnPool(db.pg, dead.poolId, dead.workerIds);
            runner = await startRunner();
            watch(runner);
            return;
          } catch (e) {
            logger.warn({ err: e, attempt }, 'runner restart failed; trying again');
            await new Promise((res) => setTimeout(res, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5))));
          }
        }
      });
  };
  watch(runner);
  return {
    get runner() {
      return runner;
    },
    fleet,
    metricsPort,
    stop,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startWorker();
}
