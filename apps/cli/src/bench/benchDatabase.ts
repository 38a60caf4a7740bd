import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl, startPostgres } from '@tally/testing';

export interface BenchDatabase {
  /** A fresh, empty database for this run. */
  url: string;
  /** Drops the database and stops the PostgreSQL started for it, if any. */
  close(): Promise<void>;
}

/**
 * A throwaway database for a benchmark: on DATABASE_URL's server when set, else on a PostgreSQL
 * started here, so a benchmark runs on a fresh clone.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const local = process.env.DATABASE_URL ? undefined : await startPostgres();
  const server = process.env.DATABASE_URL ?? local!.url;
  const dbName = `tally_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  return {
    url: databaseUrl(server, dbName),
    async close() {
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
      await admin.end();
      await local?.stop();
    },
  };
}
