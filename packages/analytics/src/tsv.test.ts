import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsClient, type ClickHouseClient } from './index.ts';
import { tsvRows } from './tsv.ts';

describe('TabSeparated reads (embedded chDB)', () => {
  let ch: ClickHouseClient;
  beforeAll(async () => {
    ch = await createAnalyticsClient({ path: ':memory:' });
  });
  afterAll(() => ch?.close());

  it('gives back every text as stored: tabs, newlines, backslashes, quotes, NUL, empty', async () => {
    const texts = ['Tab\tCo', 'New\nline Ltd', 'Back\\slash', "O'Brien \"Energy\"", 'a\u0000b', '', 'ünïcødé', '\\N'];
    const rows = await tsvRows(ch, 'SELECT arrayJoin({texts:Array(String)}) AS t, length(t) AS n', { texts });
    expect(rows.map((r) => r[0])).toEqual(texts);
    expect(rows.map((r) => Number(r[1]))).toEqual(texts.map((t) => Buffer.byteLength(t)));
  });

  it('reads no rows as none', async () => {
    expect(await tsvRows(ch, 'SELECT 1 WHERE 0', {})).toEqual([]);
  });
});
