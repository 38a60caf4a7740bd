import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** See FLEET_DEFAULTS. */
const FLEET_DEFAULTS_HEAP_MB = 256;

const Env = z.object({
  DATABASE_URL: z.string().min(1),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** Jobs this process runs at once (graphile-worker concurrency). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Threads in the calculation pool. */
  CALC_THREADS: z.coerce.number().int().min(1).max(64).default(Math.max(1, availableParallelism())),
  /** Old-generation heap of each calculation thread, MiB: bounds its memory (live data: lexicon, engine, a run's cached resolutions, a chunk). */
  CALC_THREAD_HEAP_MB: z.coerce.number().int().min(64).max(16384).default(FLEET_DEFAULTS_HEAP_MB),
  /** A ClickHouse server for the analytics copy; unset: reports are computed from Postgres. */
  CLICKHOUSE_URL: z.url().optional(),
  /** Chunks of one organisation running at once across the fleet (0: no limit). */
  ORG_MAX_CONCURRENT_CHUNKS: z.coerce.number().int().min(0).max(1000).default(2),
  /** How often this process records that it is alive (worker_heartbeats). */
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  /** A process silent this long is dead: its job locks are released for others to run. */
  WORKER_STALE_AFTER_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often a live process looks for dead ones (one at a time, advisory lock). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
type FleetKeys = 'ORG_MAX_CONCURRENT_CHUNKS' | 'HEARTBEAT_INTERVAL_MS' | 'WORKER_STALE_AFTER_MS' | 'SWEEP_INTERVAL_MS' | 'CALC_THREAD_HEAP_MB';
/** The fleet settings may be left out by callers that build the environment themselves. */
export type WorkerEnv = Omit<z.infer<typeof Env>, FleetKeys> & Partial<Pick<z.infer<typeof Env>, FleetKeys>>;
export const FLEET_DEFAULTS = { ORG_MAX_CONCURRENT_CHUNKS: 2, HEARTBEAT_INTERVAL_MS: 5_000, WORKER_STALE_AFTER_MS: 30_000, SWEEP_INTERVAL_MS: 10_000, CALC_THREAD_HEAP_MB: FLEET_DEFAULTS_HEAP_MB } as const;

export function parseWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const r = Env.safeParse(source);
  if (!r.success) throw new Error(`invalid environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
