import { writeFile, mkdtemp, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, MigrationChecksumError, migrate } from '@tally/db';
import { useTestDatabase } from './fixtures.ts';

describe('migrate', () => {
  const t = useTestDatabase();

  it('is idempotent on a migrated database', async () => {
    const report = await migrate(t.url);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toBeGreaterThan(0);
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tally-mig-'));
    for (const f of await readdir(MIGRATIONS_DIR)) await copyFile(join(MIGRATIONS_DIR, f), join(dir, f));
    await writeFile(join(dir, '000001_init.sql'), '-- edited\n', { flag: 'a' });
    await expect(migrate(t.url, dir)).rejects.toBeInstanceOf(MigrationChecksumError);
  });

  it('creates graphile-worker schema alongside ours', async () => {
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    const r = await c.query(`select count(*)::int as n from information_schema.schemata where schema_name = 'graphile_worker'`);
    await c.end();
    expect(r.rows[0].n).toBe(1);
  });
});
