import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | bigint | boolean | null | undefined | object;

/** COPY text format: backslash, tab, newline and carriage return are escaped; null is \N. */
export function copyField(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

const BATCH_BYTES = 64 * 1024;

async function* encode(rows: Iterable<readonly CopyValue[]> | AsyncIterable<readonly CopyValue[]>): AsyncGenerator<string> {
  let buf = '';
  for await (const row of rows) {
    buf += row.map(copyField).join('\t') + '\n';
    if (buf.length >= BATCH_BYTES) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Streams rows into a table with COPY FROM STDIN on the given client (so it can share a
 * transaction), batching ~64 kB per write and honouring back-pressure. Returns the row count.
 */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]> | AsyncIterable<readonly CopyValue[]>): Promise<number> {
  for (const name of [table, ...columns]) if (!IDENT.test(name)) throw new Error(`copyRows: bad identifier ${name}`);
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from(encode(rows)), stream);
  return Number(stream.rowCount ?? 0);
}

/** COPY FROM STDIN of rows already encoded in COPY text format (UTF-8), e.g. by a worker thread. */
export async function copyText(client: pg.ClientBase, table: string, columns: readonly string[], text: Uint8Array): Promise<number> {
  for (const name of [table, ...columns]) if (!IDENT.test(name)) throw new Error(`copyText: bad identifier ${name}`);
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from(text.length > 0 ? [Buffer.from(text.buffer, text.byteOffset, text.byteLength)] : []), stream);
  return Number(stream.rowCount ?? 0);
}
