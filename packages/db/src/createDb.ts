import { createPool, type DatabasePool } from 'slonik';
import pg from 'pg';
import { createResultParserInterceptor } from './resultParser.ts';
import { typeParsers } from './typeParsers.ts';

// node-postgres: keep numeric/int8/date as text for the raw pool too (COPY paths, graphile-worker).
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface Db {
  /** slonik: every ordinary query, typed with zod row schemas. */
  pool: DatabasePool;
  /** node-postgres: COPY streams and the transactions that contain them. */
  pg: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export interface DbOptions {
  maxConnections?: number;
  applicationName?: string;
}

export async function createDb(url: string, options: DbOptions = {}): Promise<Db> {
  const max = options.maxConnections ?? 10;
  const pool = await createPool(url, {
    typeParsers,
    interceptors: [createResultParserInterceptor()],
    maximumPoolSize: max,
    captureStackTrace: false,
  });
  const pgPool = new pg.Pool({ connectionString: url, max, application_name: options.applicationName ?? 'tally' });
  // An idle client losing its server (a Postgres restart) must not crash the process.
  pgPool.on('error', () => undefined);
  return {
    pool,
    pg: pgPool,
    url,
    async close() {
      await Promise.allSettled([pool.end(), pgPool.end()]);
    },
  };
}
