import type pg from 'pg';
import type { QuerySqlToken } from 'slonik';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * Runs a slonik `sql` token on a raw node-postgres client, for work that must share a transaction
 * with a COPY stream. Rows are validated with the token's schema, as on the slonik pool.
 */
export async function pgExec<T>(client: pg.ClientBase, token: QuerySqlToken<StandardSchemaV1<unknown, T>>): Promise<T[]> {
  const result = await client.query(token.sql, token.values as unknown[]);
  const parser = token.parser as StandardSchemaV1<unknown, T> | undefined;
  if (!parser) return result.rows as T[];
  const rows: T[] = [];
  for (const row of result.rows) {
    const v = await parser['~standard'].validate(row);
    if (v.issues) throw new Error(`row does not match schema: ${v.issues.map((i: { message: string }) => i.message).join('; ')}`);
    rows.push(v.value);
  }
  return rows;
}

export async function inPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no pool error listener: a connection lost between two statements
  // (a database restart) would be an uncaught 'error' event that ends the process. Keep it, fail
  // the transaction's next statement as usual, and discard the client instead of reusing it.
  let lost: Error | undefined;
  const onError = (e: Error) => {
    lost = e;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}
