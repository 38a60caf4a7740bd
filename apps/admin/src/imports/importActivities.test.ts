import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

const HEADER = 'entity,date,period_start,period_end,activity_type,quantity,unit,description,supplier,amount,currency';

describe('activity imports', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let org: { orgId: string; key: string };
  beforeAll(async () => {
    app = await startTestApp(t.db);
    org = await seedOrganisation(app, 'Importer');
  });
  afterAll(() => app.stop());

  const upload = (body: string, headers: Record<string, string> = {}) =>
    app.call(org.key, 'POST', `/v1/organisations/${org.orgId}/activity-imports?fileName=test.csv`, body, { 'content-type': 'text/csv', ...headers });

  it('loads valid rows, keeps every rejected row with line, field and reason', async () => {
    const csv = [
      HEADER,
      'HQ,2024-01-31,,,fuels/liquid-fuels/diesel-average-biofuel-blend,"1,250.5",litres,"Fuel card, January",Shell,,',
      'SITE-1,,2024-01-01,2024-01-31,uk-electricity/electricity-generated/electricity-uk,1000,kWh,,,,',
      'NOPE,2024-02-30,,,x,-3,parsecs,,,12,',
      'HQ,,2024-03-01,2024-02-01,x,1,kg,,,,',
      '',
      'HQ,2024-04-01,,,x,1,kg,,,12.5,EUR',
    ].join('\n');
    const r = await upload(csv);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ rowsTotal: 5, rowsAccepted: 3, rowsRejected: 2 });
    const byLine = new Map(r.body.rejections.map((x: { line: number; errors: unknown }) => [x.line, x.errors]));
    expect(byLine.get(4)).toEqual(
      expect.arrayContaining([
        { field: 'entity', reason: 'unknown entity "NOPE" in this organisation' },
        { field: 'date', reason: '"2024-02-30" is not a date (YYYY-MM-DD)' },
        { field: 'quantity', reason: 'must not be negative (got -3)' },
        { field: 'unit', reason: 'unknown unit "parsecs"' },
        { field: 'currency', reason: 'is required with amount' },
      ]),
    );
    expect(byLine.get(5)).toEqual([{ field: 'period_end', reason: '2024-02-01 is before period_start 2024-03-01' }]);
    const rows = await t.db.pg.query('select line_no, quantity, unit, description, currency, amount from activities where import_id = $1 order by line_no', [r.body.importId]);
    expect(rows.rows).toEqual([
      { line_no: 2, quantity: '1250.5', unit: 'litre', description: 'Fuel card, January', currency: null, amount: null },
      { line_no: 3, quantity: '1000', unit: 'kWh', description: null, currency: null, amount: null },
      { line_no: 7, quantity: '1', unit: 'kg', description: null, currency: 'EUR', amount: '12.5' },
    ]);
    const rej = await app.call(org.key, 'GET', `/v1/organisations/${org.orgId}/activity-imports/${r.body.importId}/rejections?limit=1`);
    expect(rej.body.rejections).toHaveLength(1);
    expect(rej.body.rejections[0].raw.entity).toBe('NOPE');
    expect(rej.body.next).toBe('?afterLine=4&limit=1');
  });

  it('keeps ledger and method fields of a purchase line', async () => {
    const csv = 'entity,date,activity_type,quantity,unit,description,account,category,cabin_class,trips,origin,destination\nHQ,2024-05-02,spend,120.50,USD,COUPLING BRASS 1 IN,5010-Plumbing,MRO supplies,,,,\nHQ,2024-05-03,air-travel,900,km,LHR-CDG,,,economy,2,GB,FR\n';
    const r = await upload(csv);
    expect(r.body).toMatchObject({ rowsAccepted: 2, rowsRejected: 0, ignoredColumns: [] });
    const rows = await t.db.pg.query(`select account, category, attributes from activities where import_id = $1 order by line_no`, [r.body.importId]);
    expect(rows.rows).toEqual([
      { account: '5010-Plumbing', category: 'MRO supplies', attributes: null },
      { account: null, category: null, attributes: { cabin_class: 'economy', trips: 2, origin: 'GB', destination: 'FR' } },
    ]);
  });

  it('accepts NDJSON with numbers and reports bad JSON lines', async () => {
    const nd = [
      JSON.stringify({ entity: 'HQ', date: '2024-05-01', activity_type: 'hotel-stay/hotel-stay/uk', quantity: 3, unit: 'room nights' }),
      '{not json',
      '[1,2]',
      JSON.stringify({ entity: 'SITE-1', date: '2024-05-02', activity_type: 'x', quantity: '2.5', unit: 'tonnes' }),
    ].join('\n');
    const r = await app.call(org.key, 'POST', `/v1/organisations/${org.orgId}/activity-imports`, nd, { 'content-type': 'application/x-ndjson' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ format: 'ndjson', rowsTotal: 4, rowsAccepted: 2, rowsRejected: 2 });
    expect(r.body.rejections.map((x: { line: number }) => x.line)).toEqual([2, 3]);
  });

  it('replays the same upload with the same Idempotency-Key without loading it twice', async () => {
    const csv = `${HEADER}\nHQ,2024-06-01,,,x,5,kg,,,,\nHQ,2024-06-02,,,x,6,kg,,,,\n`;
    const first = await upload(csv, { 'idempotency-key': '"upload-42"' });
    const again = await upload(csv, { 'idempotency-key': '"upload-42"' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.importId).toBe(first.body.importId);
    expect(again.body.rowsAccepted).toBe(2);
    const n = await t.db.pg.query('select count(*)::int as n from activities where import_id = $1', [first.body.importId]);
    expect(n.rows[0].n).toBe(2);
    const imports = await t.db.pg.query(`select count(*)::int as n from activity_imports where idempotency_key = 'upload-42'`);
    expect(imports.rows[0].n).toBe(1);
    const other = await upload(csv + 'HQ,2024-06-03,,,x,7,kg,,,,\n', { 'idempotency-key': 'upload-42' });
    expect(other.status).toBe(422);
  });

  it('concurrent uploads with one key load once', async () => {
    const csv = `${HEADER}\nHQ,2024-07-01,,,x,5,kg,,,,\n`;
    const results = await Promise.all(Array.from({ length: 5 }, () => upload(csv, { 'idempotency-key': 'race-1' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.importId)).size).toBe(1);
  });

  it('refuses a malformed file whole, saying where, and loads nothing of it', async () => {
    const before = await t.db.pg.query('select count(*)::int as n from activities');
    const bad = await upload(`${HEADER}\nHQ,2024-06-01,,,x,5,kg,"unclosed,,,,\nHQ,2024-06-01,,,x,5,kg,,,,\n`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^line \d+: /);
    const missing = await upload('entity,date,quantity\nHQ,2024-01-01,3\n');
    expect(missing.status).toBe(400);
    expect(missing.body.missing).toEqual(['activity_type', 'unit']);
    const unsupported = await app.call(org.key, 'POST', `/v1/organisations/${org.orgId}/activity-imports`, 'x', { 'content-type': 'application/pdf' });
    expect(unsupported.status).toBe(415);
    const after = await t.db.pg.query('select count(*)::int as n from activities');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('streams a large upload without buffering it', async () => {
    const n = 20_000;
    async function* gen() {
      yield HEADER + '\n';
      for (let i = 0; i < n; i++) yield `SITE-1,2024-08-${String((i % 28) + 1).padStart(2, '0')},,,x,${i}.25,kWh,,,,\n`;
    }
    const res = await fetch(`${app.base}/v1/organisations/${org.orgId}/activity-imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'text/csv' },
      body: ReadableStream.from(gen()),
      duplex: 'half',
    } as RequestInit);
    const body = (await res.json()) as { rowsAccepted: number };
    expect(res.status).toBe(201);
    expect(body.rowsAccepted).toBe(n);
  });
});
