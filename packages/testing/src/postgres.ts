import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../scripts/', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface LocalPostgres {
  url: string;
  dir: string;
  port: number;
  stop(remove?: boolean): Promise<void>;
  /** Restarts the server in place (fault tests: connections drop, data stays). */
  restart(): Promise<void>;
}

/** Starts a PostgreSQL cluster with packages/testing/scripts/pg-up.sh on a free loopback port. */
export async function startPostgres(options: { dir?: string; port?: number; durable?: boolean } = {}): Promise<LocalPostgres> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tally-pg-')));
  const port = options.port ?? (await freePort());
  const env = { ...process.env, ...(options.durable ? { PG_OPTS: ' ' } : {}) };
  const { stdout } = await run('bash', [join(SCRIPTS, 'pg-up.sh'), dir, String(port)], { env });
  const url = /DATABASE_URL=(\S+)/.exec(stdout)?.[1];
  if (!url) throw new Error(`pg-up.sh printed no DATABASE_URL: ${stdout}`);
  return {
    url,
    dir,
    port,
    async stop(remove = true) {
      await run('bash', [join(SCRIPTS, 'pg-down.sh'), dir, ...(remove ? ['--rm'] : [])]);
    },
    async restart() {
      await run('bash', [join(SCRIPTS, 'pg-down.sh'), dir]);
      await run('bash', [join(SCRIPTS, 'pg-up.sh'), dir, String(port)], { env });
    },
  };
}
