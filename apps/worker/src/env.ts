import { availableParallelism } from 'node:os';
import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().min(1),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** Jobs this process runs at once (graphile-worker concurrency). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Threads in the calculation pool. */
  CALC_THREADS: z.coerce.number().int().min(1).max(64).default(Math.max(1, availableParallelism())),
  /** A ClickHouse server for the analytics copy; unset: reports are computed from Postgres. */
  CLICKHOUSE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type WorkerEnv = z.infer<typeof Env>;

export function parseWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const r = Env.safeParse(source);
  if (!r.success) throw new Error(`invalid environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
