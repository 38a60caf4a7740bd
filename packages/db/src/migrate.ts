import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Logger, runMigrations as runGraphileMigrations } from 'graphile-worker';

/** db/migrations at the repository root, found from this module in src/ or dist/. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations/', import.meta.url));

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationChecksumError extends Error {
  readonly migration: string;
  constructor(migration: string) {
    super(`migration ${migration} was changed after it was applied; migrations are forward-only: add a new file instead`);
    this.name = 'MigrationChecksumError';
    this.migration = migration;
  }
}

/**
 * Applies db/migrations/NNNNNN_name.sql in order, each once, each in its own transaction, under an
 * advisory lock so concurrent starters do not race; then graphile-worker's own migrations.
 */
export async function migrate(url: string, dir = MIGRATIONS_DIR): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url, application_name: 'tally-migrate' });
  await client.connect();
  const applied: string[] = [];
  let alreadyApplied = 0;
  try {
    await client.query(`select pg_advisory_lock(hashtext('tally_migrations'))`);
    await client.query(`create table if not exists tally_migrations (
      name text primary key, checksum_sha256 text not null, applied_at timestamptz not null default now())`);
    const done = new Map((await client.query<{ name: string; checksum_sha256: string }>('select name, checksum_sha256 from tally_migrations')).rows.map((r) => [r.name, r.checksum_sha256]));
    const files = (await readdir(dir)).filter((f) => /^\d{6}_[a-z0-9_]+\.sql$/.test(f)).sort();
    for (const file of files) {
      const text = await readFile(`${dir}/${file}`, 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      const prior = done.get(file);
      if (prior !== undefined) {
        if (prior !== checksum) throw new MigrationChecksumError(file);
        alreadyApplied++;
        continue;
      }
      await client.query('begin');
      try {
        await client.query(text);
        await client.query('insert into tally_migrations (name, checksum_sha256) values ($1, $2)', [file, checksum]);
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw new Error(`migration ${file} failed: ${(e as Error).message}`, { cause: e });
      }
      applied.push(file);
    }
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('tally_migrations'))`).catch(() => undefined);
    await client.end();
  }
  await runGraphileMigrations({ connectionString: url, logger: silentLogger });
  return { applied, alreadyApplied };
}

const silentLogger = new Logger(() => () => undefined);
