import type { ClickHouseClient } from '@clickhouse/client';

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', r: '\r', n: '\n', t: '\t', '0': '\0' };
/** A TabSeparated field as ClickHouse escapes it: backslash escapes (\\N, NULL, is read as the text "N": never ask for a nullable column). */
const unescape = (field: string) => (field.includes('\\') ? field.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c) : field);

/**
 * The rows of a query as TabSeparated text, each a list of fields. The report reads tens of
 * thousands of Scope 2 lines: as TSV they arrive and split in about half the time of
 * JSONCompactEachRow's row-by-row parse.
 */
export async function tsvRows(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<string[][]> {
  const text = await (await ch.query({ query, query_params: params, format: 'TabSeparated' })).text();
  const out: string[][] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    out.push(text.slice(start, end).split('\t').map(unescape));
    start = end + 1;
  }
  return out;
}
