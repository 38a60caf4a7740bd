import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, startPostgres } from '@tally/testing';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const STATE_DIR = join(REPO_ROOT, '.tally');

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * DATABASE_URL when set; otherwise a local cluster kept in .tally/pg (started on first use, reused
 * afterwards), so `pnpm demo` works on a machine with nothing but the Debian PostgreSQL packages.
 */
export async function ensureDatabase(log: (s: string) => void): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dir = join(STATE_DIR, 'pg');
  await mkdir(dir, { recursive: true });
  const portFile = join(STATE_DIR, 'pg.port');
  const saved = existsSync(portFile) ? Number((await readFile(portFile, 'utf8')).trim()) : undefined;
  if (saved) {
    const url = `postgres://postgres@127.0.0.1:${saved}/postgres`;
    if (await answers(url)) {
      log(`using the local PostgreSQL in ${dir} (port ${saved})`);
      return url;
    }
  }
  const port = saved ?? (await freePort());
  log(`starting the local PostgreSQL in ${dir} on port ${port}`);
  const pgLocal = await startPostgres({ dir, port, durable: true });
  await writeFile(portFile, `${port}\n`);
  return pgLocal.url;
}
