import { createServer, type Server } from 'node:http';
import { createAnalyticsClient, exportRunToAnalytics, migrateAnalytics, type ClickHouseClient } from '@tally/analytics';
import { copyRows, storeFactorSet, storeGwpSets } from '@tally/db';
import { createRegistry } from '@tally/metrics';
import { useTestDatabase } from '@tally/testing/fixtures';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../createApp.ts';
import { ADMIN_TOKEN, seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

/**
 * Base year, trend, restatement and the run diff through HTTP, from ClickHouse and from Postgres.
 * Runs are written straight into Postgres (the worker path is tested in apps/worker): litres of
 * one key priced at 2 kg CO2e/l (TEST 2024) or 2.2 (TEST 2025, a new edition).
 */
describe('base year, trend and run diff routes', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let ch: ClickHouseClient;
  let server: Server;
  let chBase: string;
  let a: { orgId: string; key: string };
  let b: { orgId: string; key: string };
  const run: Record<string, string> = {};
  let ents: Map<string, string>;
  let acts: string[];
  let minutes = 0;

  /** A complete run of org a with one result per [activity index, factor id, kg CO2e]. */
  async function seedRun(name: string, period: [string, string], setId: string, rows: [number, string, string][], orgId = a.orgId, status = 'complete') {
    minutes++;
    const id = (await t.db.pg.query(
      `insert into calculation_runs (org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size, completed_at)
       values ($1, $2, $3, $4, 'AR5', $5, 10, now() + make_interval(mins => $6)) returning id`,
      [orgId, period[0], period[1], setId, status, minutes],
    )).rows[0].id;
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'calculation_results', ['run_id', 'activity_id', 'org_id', 'entity_id', 'period_start', 'chunk_no', 'status', 'factor_id', 'factor_set_id', 'scope', 'category', 'unit_from', 'unit_to', 'unit_multiplier', 'gwp_set_id', 'co2e_method', 'co2e_kg', 'co2_kg', 'gas_kg'],
        rows.map(([i, factorId, kg]) => [id, acts[i], orgId, ents.get(i === 2 ? 'SITE-1' : 'HQ'), i === 0 ? '2023-01-10' : '2024-01-10', 0, 'calculated', factorId, factorId.split(':')[0], 1, '1 Stationary combustion', 'litres', 'litres', '1', 'AR5', 'published_total', kg, kg, { CO2: kg }]));
    } finally {
      c.release();
    }
    await exportRunToAnalytics(t.db, ch, id);
    run[name] = id;
  }

  beforeAll(async () => {
    app = await startTestApp(t.db);
    a = await seedOrganisation(app, 'Reporter');
    b = await seedOrganisation(app, 'Other');
    await storeGwpSets(t.db.pg, [{ id: 'AR5', name: 'AR5', horizonYears: 100, source: 'test', values: { CH4: '28', N2O: '265' } }]);
    for (const [id, edition, co2e] of [['fs', '2024', '2'], ['fs2', '2025', '2.2']] as const) {
      await storeFactorSet(t.db.pg, {
        meta: { id, source: 'TEST', edition, publicationYear: 2024, licence: 'x', region: 'GB', gwpBasis: 'AR5' },
        fileName: id, checksum: id, skipped: [],
        factors: [{ id: `${id}:1`, factorSetId: id, activityKey: 'k', name: 'k', scope: 1, category: '1 Stationary combustion', region: 'GB', year: 2024, unit: 'litres', co2e, gasBasis: 'co2e', gwpBasis: 'AR5', gases: { CO2: co2e }, sourceRef: '1', sourceRows: [] }],
      });
    }
    ents = new Map((await t.db.pg.query(`select code, id from entities where org_id = $1`, [a.orgId])).rows.map((r) => [r.code, r.id]));
    const imp = (await t.db.pg.query(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [a.orgId])).rows[0].id;
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'], [
        [a.orgId, imp, 2, ents.get('HQ'), '2023-01-10', '2023-01-10', 'k', '10', 'litres'],
        [a.orgId, imp, 3, ents.get('HQ'), '2024-01-10', '2024-01-10', 'k', '10', 'litres'],
        [a.orgId, imp, 4, ents.get('SITE-1'), '2024-01-10', '2024-01-10', 'k', '5', 'litres'],
      ]);
      acts = (await c.query(`select id from activities where import_id = $1 order by line_no`, [imp])).rows.map((r) => r.id);
    } finally {
      c.release();
    }
    ch = await createAnalyticsClient({ path: ':memory:' });
    await migrateAnalytics(ch);
    await seedRun('y2023', ['2023-01-01', '2023-12-31'], 'fs', [[0, 'fs:1', '20']]);
    await seedRun('y2024', ['2024-01-01', '2024-12-31'], 'fs', [[1, 'fs:1', '20'], [2, 'fs:1', '10']]);
    await seedRun('y2024new', ['2024-01-01', '2024-12-31'], 'fs2', [[1, 'fs2:1', '22'], [2, 'fs2:1', '11']]);
    await seedRun('half', ['2024-01-01', '2024-06-30'], 'fs', []);
    await seedRun('running', ['2024-01-01', '2024-12-31'], 'fs', [], a.orgId, 'running');
    await seedRun('other', ['2024-01-01', '2024-12-31'], 'fs', [], b.orgId);
    server = createServer(createApp({ db: t.db, registry: createRegistry('admin-trend-test'), logger: pino({ level: 'silent' }), adminToken: ADMIN_TOKEN, analytics: ch }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    chBase = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise((r) => server?.close(r));
    await ch?.close();
  });

  const call = async (base: string, key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
  };
  const both = async (path: string) => {
    const fromCh = await call(chBase, a.key, 'GET', path);
    const fromPg = await call(chBase, a.key, 'GET', `${path}&source=postgres`);
    expect(fromCh.status).toBe(200);
    expect(fromCh.body.source).toBe('clickhouse');
    expect(fromPg.body.source).toBe('postgres');
    const { source: _c, ...x } = fromCh.body;
    const { source: _p, ...y } = fromPg.body;
    expect(x).toEqual(y);
    return fromCh.body;
  };

  it('validates and sets the base year and threshold; the trend needs a base year', async () => {
    const org = `/v1/organisations/${a.orgId}`;
    expect((await call(app.base, a.key, 'GET', `${org}/reports/trend`)).status).toBe(409);
    for (const bad of [{ baseYear: 1800 }, { baseYear: 2023.5 }, { baseYear: '2023' }, { restatementThreshold: 0 }, { restatementThreshold: 1.5 }, { restatementThreshold: '5%' }]) {
      const r = await call(app.base, a.key, 'PATCH', org, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const ok = await call(app.base, a.key, 'PATCH', org, { baseYear: 2023 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ baseYear: 2023, restatementThreshold: '0.05' });
    const by = await call(app.base, a.key, 'GET', `${org}/base-year`);
    expect(by.body).toMatchObject({ baseYear: 2023, restatementThreshold: '0.05', recorded: { runId: run.y2023, co2eKg: '20', reason: 'base_year_set' } });
    expect(by.body.history).toHaveLength(1);
    expect((await call(app.base, b.key, 'PATCH', org, { baseYear: 2020 })).status).toBe(404);
  });

  it('records the figure of record when a base year without a run is first reported', async () => {
    const org = `/v1/organisations/${b.orgId}`;
    expect((await call(app.base, b.key, 'PATCH', org, { baseYear: 2025 })).body.baseYear).toBe(2025);
    expect((await call(app.base, b.key, 'GET', `${org}/base-year`)).body).toMatchObject({ baseYear: 2025, recorded: null, history: [] });
    const before = await call(app.base, b.key, 'GET', `${org}/reports/trend`);
    expect(before.body).toMatchObject({ baseYear: 2025, years: [{ year: 2025, run: null, figures: null }], restatement: { recorded: null, current: null, exceedsThreshold: false } });
    await seedRun('b2025', ['2025-01-01', '2025-12-31'], 'fs', [], b.orgId);
    const after = await call(app.base, b.key, 'GET', `${org}/reports/trend`);
    expect(after.body.restatement).toMatchObject({ recorded: { runId: run.b2025, co2eKg: '0', reason: 'first_reported', recordedBy: 'first report' }, exceedsThreshold: false });
    // clearing the base year ends the figure of record
    expect((await call(app.base, b.key, 'PATCH', org, { baseYear: null })).body.baseYear).toBeNull();
    expect((await call(app.base, b.key, 'GET', `${org}/base-year`)).body).toMatchObject({ baseYear: null, recorded: null, history: [{ reason: 'first_reported' }] });
  });

  it('reports the trend from both stores, flags a restatement over the threshold and clears it when accepted', async () => {
    const path = `/v1/organisations/${a.orgId}/reports/trend?x=1`;
    let tr = await both(path);
    expect(tr.years.map((y: { year: number; figures: { co2eKg: string } }) => [y.year, y.figures.co2eKg])).toEqual([[2023, '20'], [2024, '33']]);
    expect(tr.years[1]).toMatchObject({ run: { id: run.y2024new }, vsPreviousYear: { co2eKg: { change: '13', pct: '65' } }, vsBaseYear: { scope1: { change: '13', pct: '65' } } });
    expect(tr.restatement).toMatchObject({ baseYear: 2023, recorded: { co2eKg: '20' }, current: { co2eKg: '20' }, exceedsThreshold: false });

    // the base year restated with the new edition: 22 kg, +10%
    await seedRun('y2023new', ['2023-01-01', '2023-12-31'], 'fs2', [[0, 'fs2:1', '22']]);
    tr = await both(path);
    expect(tr.restatement).toMatchObject({ recorded: { runId: run.y2023, co2eKg: '20' }, current: { runId: run.y2023new, co2eKg: '22' }, change: { change: '2', pct: '10' }, threshold: '0.05', exceedsThreshold: true });
    // a threshold above the move clears the flag; back to 5%
    await call(app.base, a.key, 'PATCH', `/v1/organisations/${a.orgId}`, { restatementThreshold: 0.15 });
    expect((await both(path)).restatement).toMatchObject({ threshold: '0.15', exceedsThreshold: false });
    await call(app.base, a.key, 'PATCH', `/v1/organisations/${a.orgId}`, { restatementThreshold: 0.05 });

    expect((await call(app.base, b.key, 'POST', `/v1/organisations/${a.orgId}/base-year/restate`, {})).status).toBe(404);
    expect((await call(app.base, a.key, 'POST', `/v1/organisations/${a.orgId}/base-year/restate`, { who: 'x' })).status).toBe(400);
    const accepted = await call(app.base, a.key, 'POST', `/v1/organisations/${a.orgId}/base-year/restate`, { by: 'J. Auditor', note: 'DESNZ 2025 edition' });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ recorded: { runId: run.y2023new, co2eKg: '22', reason: 'restatement_accepted', note: 'DESNZ 2025 edition' }, previous: { runId: run.y2023 } });
    expect(accepted.body.recorded.recordedBy).toMatch(/^J\. Auditor \(api-key:/);
    tr = await both(path);
    expect(tr.restatement).toMatchObject({ recorded: { co2eKg: '22' }, change: { change: '0', pct: '0' }, exceedsThreshold: false });
    expect(tr.years[1].vsBaseYear.co2eKg).toEqual({ change: '11', pct: '50' });
    const history = (await call(app.base, a.key, 'GET', `/v1/organisations/${a.orgId}/base-year`)).body.history;
    expect(history.map((h: { reason: string; supersededAt: string | null }) => [h.reason, h.supersededAt === null])).toEqual([['restatement_accepted', true], ['base_year_set', false]]);
    expect((await call(chBase, b.key, 'GET', `/v1/organisations/${a.orgId}/reports/trend`)).status).toBe(404);
  });

  it('diffs two runs from both stores, as JSON and CSV', async () => {
    const path = `/v1/organisations/${a.orgId}/reports/diff?from=${run.y2024}&to=${run.y2024new}`;
    const d = await both(path);
    expect(d).toMatchObject({
      period: { start: '2024-01-01', end: '2024-12-31' },
      from: { runId: run.y2024, factorSetIds: ['fs'] },
      to: { runId: run.y2024new, factorSetIds: ['fs2'] },
      order: ['activity', 'mapping', 'factor', 'method'],
      totals: { from: '30', to: '33', change: '3', effects: { activity: '0', mapping: '0', factor: '3', method: '0' } },
      activities: { total: 2, added: 0, removed: 0, changed: 2, unchanged: 0 },
      linesTotal: 2,
    });
    expect(d.lines[0]).toMatchObject({
      activityId: acts[1], label: { entityCode: 'HQ', lineNo: 3 }, co2eKg: { from: '20', to: '22', change: '2' }, drivers: { factor: true },
      from: { factorId: 'fs:1', factorSource: 'TEST 2024' }, to: { factorId: 'fs2:1', factorSource: 'TEST 2025' },
    });
    expect((await both(`${path}&top=1`)).lines).toHaveLength(1);
    const csv = await call(chBase, a.key, 'GET', `${path}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="diff-${run.y2024}-${run.y2024new}.csv"`);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`${acts[1]},HQ,k,3,1,1,20,22,2,0,0,2,0,factor,fs:1,k,TEST 2024,direct,AR5,fs2:1,k,TEST 2025,direct,AR5`);
    expect((await call(chBase, a.key, 'GET', `${path}&format=csv&source=postgres`)).text).toBe(csv.text);
  });

  it('refuses runs of other periods (422), unfinished runs (409), other organisations\' runs (404) and bad queries (400)', async () => {
    const diff = (key: string, org: string, from: string, to: string, extra = '') => call(chBase, key, 'GET', `/v1/organisations/${org}/reports/diff?from=${from}&to=${to}${extra}`);
    const mismatch = await diff(a.key, a.orgId, run.y2024!, run.half!);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toMatchObject({ type: 'urn:tally:problem:diff-period-mismatch', from: { periodEnd: '2024-12-31' }, to: { periodEnd: '2024-06-30' } });
    expect((await diff(a.key, a.orgId, run.y2023!, run.y2024!)).status).toBe(422);
    expect((await diff(a.key, a.orgId, run.y2024!, run.running!)).body).toMatchObject({ status: 409, type: 'urn:tally:problem:run-not-complete' });
    expect((await diff(a.key, a.orgId, run.y2024!, run.other!)).status).toBe(404);
    expect((await diff(b.key, a.orgId, run.y2024!, run.y2024new!)).status).toBe(404);
    expect((await diff(b.key, b.orgId, run.y2024!, run.y2024new!)).status).toBe(404);
    expect((await diff(a.key, a.orgId, 'nope', run.y2024new!)).status).toBe(400);
    expect((await diff(a.key, a.orgId, run.y2024!, run.y2024new!, '&top=-1')).status).toBe(400);
    expect((await diff(a.key, a.orgId, run.y2024!, run.y2024new!, '&format=xml')).status).toBe(400);
    expect((await call(app.base, a.key, 'GET', `/v1/organisations/${a.orgId}/reports/diff?from=${run.y2024}&to=${run.y2024new}&source=clickhouse`)).status).toBe(409);
    expect((await call(app.base, ADMIN_TOKEN, 'GET', `/v1/organisations/${a.orgId}/reports/diff?from=${run.y2024}&to=${run.y2024new}`)).body.source).toBe('postgres');
  });
});
