import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  /** Operators' bearer token (creates organisations, reads any). Unset: operator routes are closed. */
  TALLY_ADMIN_TOKEN: z.string().min(24).optional(),
  /** A ClickHouse server holding the analytics copy; unset: reports are computed from Postgres. */
  CLICKHOUSE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof Env>;

/** Parses the environment once at start-up, listing every problem; values are never logged. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const r = Env.safeParse(source);
  if (!r.success) throw new Error(`invalid environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
