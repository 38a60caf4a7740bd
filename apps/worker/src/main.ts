import { createServer, type Server } from 'node:http';
import { createAnalyticsClient, migrateAnalytics, type ClickHouseClient } from '@tally/analytics';
import { createDb } from '@tally/db';
import { bindWorkerEvents, createRegistry, createWorkerMetrics } from '@tally/metrics';
import { Logger as GraphileLogger, run, type Runner } from 'graphile-worker';
import { pino, type Logger } from 'pino';
import { parseWorkerEnv, type WorkerEnv } from './env.ts';
import { createCalculationPool } from './pool/calculationPool.ts';
import { createTaskContext } from './tasks/context.ts';
import { createTaskList } from './tasks/tasks.ts';

export interface WorkerHandle {
  runner: Runner;
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
  const pool = createCalculationPool(env.CALC_THREADS, metrics);
  const analytics = options.analytics ?? (env.CLICKHOUSE_URL ? await createAnalyticsClient({ url: env.CLICKHOUSE_URL }) : undefined);
  if (analytics) await migrateAnalytics(analytics);
  const ctx = createTaskContext(db, pool, metrics, logger, analytics);

  const runner = await run({
    connectionString: env.DATABASE_URL,
    concurrency: env.WORKER_CONCURRENCY,
    maxPoolSize: Math.max(10, env.WORKER_CONCURRENCY + 2),
    pollInterval: 1000,
    noHandleSignals: options.noHandleSignals ?? false,
    taskList: createTaskList(ctx),
    logger: graphileLogger(logger),
  });
  bindWorkerEvents(runner.events, metrics);

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
      await pool.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      if (analytics && !options.analytics) await analytics.close();
    })());
  // graphile-worker traps signals itself; when its runner ends, release everything else.
  void runner.promise.finally(() => void stop());
  return { runner, metricsPort, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startWorker();
}
