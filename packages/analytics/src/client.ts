import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createClient, type ClickHouseClient } from '@clickhouse/client';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** db/clickhouse at the repository root. */
export const CLICKHOUSE_SCHEMA_DIR = fileURLToPath(new URL('../../../db/clickhouse/', import.meta.url));

// Same JSON shapes from chDB and a real server: 64-bit integers and decimals as strings. A retried
// insert (same deduplication token) is dropped by the rollups fed from it too (005_report_lines.sql).
const SETTINGS = { output_format_json_quote_64bit_integers: 1, output_format_json_quote_decimals: 1, deduplicate_blocks_in_dependent_materialized_views: 1 } as const;

export interface AnalyticsOptions {
  /** A ClickHouse server (production). */
  url?: string;
  /** Otherwise the embedded engine (chDB): a data directory, or ':memory:'. One process per directory. */
  path?: string;
}

/**
 * The analytics store: a ClickHouse server when CLICKHOUSE_URL is set, else chDB (the ClickHouse
 * engine embedded in this process) behind the same @clickhouse/client API, so the analytics code
 * is the same for both.
 */
export async function createAnalyticsClient(options: AnalyticsOptions): Promise<ClickHouseClient> {
  if (options.url) return createClient({ url: options.url, clickhouse_settings: SETTINGS });
  // Loaded only when used: the embedded engine is a large native library.
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types its connection against @clickhouse/client-common 1.23.0 while the client bundles
  // 1.23.1's copy of the same interface; the shapes are identical at run time.
  const connection = createChdbConnection({ path: options.path ?? ':memory:' }) as unknown as ClientConnection;
  return createClient({ connection, clickhouse_settings: SETTINGS });
}

/** Applies db/clickhouse/NNN_*.sql in order; each file is idempotent (IF NOT EXISTS). */
export async function migrateAnalytics(ch: ClickHouseClient, dir = CLICKHOUSE_SCHEMA_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  for (const f of files) await ch.command({ query: await readFile(`${dir}${f}`, 'utf8') });
  return files;
}
