import { createServer, type Server } from 'node:http';
import { createAnalyticsClient, exportRunToAnalytics, migrateAnalytics, type ClickHouseClient } from '@tally/analytics';
import { copyRows, storeFactorSet, storeGwpSets } from '@tally/db';
import { createRegistry } from '@tally/metrics';
import { useTestDatabase } from '@tally/testing/fixtures';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../createApp.ts';
import { ADMIN_TOKEN, seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe('GET /v1/organisations/{id}/reports/inventory', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let ch: ClickHouseClient;
  let server: Server;
  let chBase: string;
  let a: { orgId: string; key: string };
  let b: { orgId: string; key: string };
  let runId: string;

  beforeAll(async () => {
    app = await startTestApp(t.db);
    a = await seedOrganisation(app, 'Reporter');
    b = await seedOrganisation(app, 'Other');
    await storeGwpSets(t.db.pg, [{ id: 'AR5', name: 'AR5', horizonYears: 100, source: 'test', values: { CH4: '28', N2O: '265' } }]);
    await storeFactorSet(t.db.pg, {
      meta: { id: 'fs', source: 'TEST', edition: '2024', publicationYear: 2024, licence: 'x', region: 'GB', gwpBasis: 'AR5' },
      fileName: 'f', checksum: 'c', skipped: [],
      factors: [{ id: 'fs:1', factorSetId: 'fs', activityKey: 'k', name: 'k', scope: 1, category: '1 Stationary combustion', region: 'GB', year: 2024, unit: 'litres', co2e: '2', gasBasis: 'co2e', gwpBasis: 'AR5', gases: { CO2: '2' }, sourceRef: '1', sourceRows: [] }],
    });
    const ents = new Map((await t.db.pg.query(`select code, id from entities where org_id = $1`, [a.orgId])).rows.map((r) => [r.code, r.id]));
    const imp = (await t.db.pg.query(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [a.orgId])).rows[0].id;
    runId = (await t.db.pg.query(`insert into calculation_runs (org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size, completed_at) values ($1, '2024-01-01', '2024-12-31', 'fs', 'AR5', 'complete', 10, now()) returning id`, [a.orgId])).rows[0].id;
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'], [
        [a.orgId, imp, 2, ents.get('HQ'), '2024-01-10', '2024-01-10', 'k', '10', 'litres'],
        [a.orgId, imp, 3, ents.get('SITE-1'), '2024-05-10', '2024-05-10', 'k', '5.5', 'litres'],
        [a.orgId, imp, 4, ents.get('SITE-1'), '2024-05-11', '2024-05-11', 'nothing', '100', 'GBP'],
      ]);
      const ids = (await c.query(`select id from activities where import_id = $1 order by id`, [imp])).rows.map((r) => r.id);
      await copyRows(c, 'calculation_results', ['run_id', 'activity_id', 'org_id', 'entity_id', 'period_start', 'chunk_no', 'status', 'factor_id', 'factor_set_id', 'scope', 'category', 'gwp_set_id', 'co2e_kg', 'co2_kg', 'gas_kg', 'reason', 'resolution'], [
        [runId, ids[0], a.orgId, ents.get('HQ'), '2024-01-10', 0, 'calculated', 'fs:1', 'fs', 1, '1 Stationary combustion', 'AR5', '20', '20', { CO2: '20' }, null, 'region GB'],
        [runId, ids[1], a.orgId, ents.get('SITE-1'), '2024-05-10', 0, 'calculated', 'fs:1', 'fs', 1, '1 Stationary combustion', 'AR5', '11', '11', { CO2: '11' }, null, 'region GB'],
        [runId, ids[2], a.orgId, ents.get('SITE-1'), '2024-05-11', 0, 'unmatched', null, null, null, null, 'AR5', null, null, null, 'NO_FACTOR_FOR_ACTIVITY_TYPE', null],
      ]);
    } finally {
      c.release();
    }
    ch = await createAnalyticsClient({ path: ':memory:' });
    await migrateAnalytics(ch);
    await exportRunToAnalytics(t.db, ch, runId);
    server = createServer(createApp({ db: t.db, registry: createRegistry('admin-report-test'), logger: pino({ level: 'silent' }), adminToken: ADMIN_TOKEN, analytics: ch }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    chBase = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise((r) => server?.close(r));
    await ch?.close();
  });

  const get = async (base: string, key: string, path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
  };

  it('answers the same report from ClickHouse and from Postgres, with the entity tree rolled up', async () => {
    const path = `/v1/organisations/${a.orgId}/reports/inventory?period=2024`;
    const fromCh = await get(chBase, a.key, path);
    expect(fromCh.status).toBe(200);
    expect(fromCh.body.source).toBe('clickhouse');
    const fromPg = await get(chBase, a.key, `${path}&source=postgres`);
    expect(fromPg.body.source).toBe('postgres');
    const { source: _c, ...chReport } = fromCh.body;
    const { source: _p, ...pgReport } = fromPg.body;
    expect(chReport).toEqual(pgReport);
    expect(fromCh.body).toMatchObject({
      run: { id: runId, factorSets: [{ id: 'fs', source: 'TEST', edition: '2024' }], gwpSetId: 'AR5' },
      consolidation: { approach: 'operational_control' },
      scope1: { co2eKg: '31', activities: 2 },
      totals: { co2eKg: '31', gases: [{ gas: 'CO2', kg: '31' }], activities: { total: 3, calculated: 2, unmatched: 1, failed: 0 } },
      entities: [{ code: 'HQ', parentCode: null }, { code: 'SITE-1', parentCode: 'HQ' }],
    });
    expect(fromCh.body.breakdowns.entity).toEqual([
      { key: 'HQ', scope: 1, co2eKg: '31', activities: 2 },
      { key: 'SITE-1', scope: 1, co2eKg: '11', activities: 1 },
    ]);
    expect(fromCh.body.dataQuality.notCalculated.spend).toEqual([{ currency: 'GBP', amount: '100', total: '100', share: '1' }]);
    expect(fromCh.body.dataQuality.rating).toMatchObject({ technological: '2.00', geographical: '1.00', temporal: '1.00', overall: '1.33' });
  });

  it('exports the breakdown rows as one CSV with a file name', async () => {
    const csv = await get(chBase, a.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2024&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="inventory-2024-${runId}.csv"`);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('breakdown,key,scope,co2e_kg,activities,kwh');
    expect(lines).toContain('entity,HQ,1,31,2,');
    expect(lines).toContain('month,2024-05,1,11,1,');
    expect(lines).toContain('factor_source,TEST 2024,1,31,2,');
    expect(lines).toContain('calculation_method,activity_based,1,31,2,');
    expect(lines).toContain('category,1 Stationary combustion,1,31,2,');
    const pgCsv = await get(app.base, a.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2024&format=csv`);
    expect(pgCsv.text).toBe(csv.text);
    expect(lines.slice(-2)).toEqual(['total,location_based,,31,2,', 'total,market_based,,31,2,']);
  });

  it('reports Scope 2 location-based and market-based (certificates up to their MWh, residual mix) in JSON and CSV from both stores', async () => {
    const d = await seedOrganisation(app, 'Dual');
    const elec = { scope: 2, category: '2 Purchased electricity', region: 'GB', year: 2024, gwpBasis: 'AR5', unit: 'kWh' };
    const up = await app.call(d.key, 'POST', `/v1/organisations/${d.orgId}/factor-sets`, {
      series: 'market',
      factors: [
        { key: 'market/rego', name: 'REGOs', co2e: '0', kind: 'contractual_instrument', instrument: { type: 'EAC', trackingSystem: 'REGO', volumeMWh: '1', validFrom: '2024-01-01', validTo: '2024-12-31' }, ...elec },
        { key: 'market/residual', name: 'GB residual mix', co2e: '0.3', kind: 'residual_mix', ...elec },
      ],
    });
    expect(up.status).toBe(201);
    const orgSet = up.body.factorSet.id as string;
    await storeFactorSet(t.db.pg, {
      meta: { id: 'grid', source: 'GRID', edition: '2024', publicationYear: 2024, licence: 'x', region: 'GB', gwpBasis: 'AR5' },
      fileName: 'g', checksum: 'grid', skipped: [],
      factors: [{ id: 'grid:gb', factorSetId: 'grid', activityKey: 'electricity', name: 'GB grid', scope: 2, category: '2 Purchased electricity', region: 'GB', year: 2024, unit: 'kWh', co2e: '0.2', gasBasis: 'co2e', gwpBasis: 'AR5', gases: { CO2: '0.2' }, sourceRef: '1', sourceRows: [] }],
    });
    const ents = new Map((await t.db.pg.query(`select code, id from entities where org_id = $1`, [d.orgId])).rows.map((r) => [r.code, r.id]));
    const imp = (await t.db.pg.query(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [d.orgId])).rows[0].id;
    const run = (await t.db.pg.query(
      `insert into calculation_runs (org_id, period_start, period_end, factor_set_id, factor_set_ids, gwp_set_id, status, chunk_size, completed_at)
       values ($1, '2024-01-01', '2024-12-31', 'grid', $2, 'AR5', 'complete', 10, now()) returning id`,
      [d.orgId, ['grid', orgSet]],
    )).rows[0].id;
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'], [
        [d.orgId, imp, 2, ents.get('HQ'), '2024-01-01', '2024-01-31', 'electricity', '1500', 'kWh'],
        [d.orgId, imp, 3, ents.get('SITE-1'), '2024-02-01', '2024-02-29', 'electricity', '500', 'kWh'],
      ]);
      const ids = (await c.query(`select id from activities where import_id = $1 order by id`, [imp])).rows.map((r) => r.id);
      await copyRows(c, 'calculation_results', ['run_id', 'activity_id', 'org_id', 'entity_id', 'period_start', 'chunk_no', 'status', 'factor_id', 'factor_set_id', 'scope', 'category', 'gwp_set_id', 'co2e_kg', 'co2_kg', 'gas_kg', 'resolution'], [
        [run, ids[0], d.orgId, ents.get('HQ'), '2024-01-01', 0, 'calculated', 'grid:gb', 'grid', 2, '2 Purchased electricity', 'AR5', '300', '300', { CO2: '300' }, 'region GB'],
        [run, ids[1], d.orgId, ents.get('SITE-1'), '2024-02-01', 0, 'calculated', 'grid:gb', 'grid', 2, '2 Purchased electricity', 'AR5', '100', '100', { CO2: '100' }, 'region GB'],
      ]);
    } finally {
      c.release();
    }
    await exportRunToAnalytics(t.db, ch, run);

    const path = `/v1/organisations/${d.orgId}/reports/inventory?period=2024`;
    const fromCh = await get(chBase, d.key, path);
    const fromPg = await get(chBase, d.key, `${path}&source=postgres`);
    expect([fromCh.body.source, fromPg.body.source]).toEqual(['clickhouse', 'postgres']);
    expect(fromCh.body.scope2).toEqual(fromPg.body.scope2);
    expect(fromCh.body.totals).toEqual(fromPg.body.totals);
    // location 1500 x 0.2 + 500 x 0.2 = 400; market: 1000 kWh of HQ's January under the REGOs at 0, then 500 + 500 kWh x 0.3 = 300
    expect(fromCh.body.scope2.locationBased).toEqual({ co2eKg: '400', activities: 2 });
    expect(fromCh.body.scope2.marketBased).toMatchObject({ co2eKg: '300', consumptionKWh: '2000', coveredKWh: '1000', residualKWh: '1000', fallbackToLocationKWh: '0', unusedCertificatesMWh: '0' });
    expect(fromCh.body.scope2.marketBased.byInstrument.map((l: { kind: string; kWh: string; co2eKg: string }) => [l.kind, l.kWh, l.co2eKg])).toEqual([['contractual_instrument', '1000', '0'], ['residual_mix', '1000', '300']]);
    expect(fromCh.body.totals).toMatchObject({ co2eKg: '400', scope2Method: 'location_based', co2eKgMarketBased: '300' });

    const csv = await get(chBase, d.key, `${path}&format=csv`);
    const pgCsv = await get(chBase, d.key, `${path}&format=csv&source=postgres`);
    expect(csv.text).toBe(pgCsv.text);
    expect(csv.text.trimEnd().split('\r\n')).toEqual(expect.arrayContaining([
      'scope2,location_based,2,400,2,',
      'scope2,market_based,2,300,2,2000',
      `scope2_market_based,contractual_instrument:${orgSet}:0,2,0,,1000`,
      `scope2_market_based,residual_mix:${orgSet}:1,2,300,,1000`,
      'total,location_based,,400,2,',
      'total,market_based,,300,2,',
    ]));
  });

  it('answers 404 to another organisation\'s key and for a period without a complete run; 400 for a bad query; 409 for ClickHouse without a store', async () => {
    expect((await get(chBase, b.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2024`)).status).toBe(404);
    expect((await get(chBase, b.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2024&format=csv`)).status).toBe(404);
    expect((await get(chBase, b.key, `/v1/organisations/${b.orgId}/reports/inventory?period=2024`)).status).toBe(404);
    expect((await get(chBase, a.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2023`)).status).toBe(404);
    expect((await get(chBase, a.key, `/v1/organisations/${a.orgId}/reports/inventory`)).status).toBe(400);
    expect((await get(chBase, a.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2024&format=xml`)).status).toBe(400);
    expect((await get(app.base, a.key, `/v1/organisations/${a.orgId}/reports/inventory?period=2024&source=clickhouse`)).status).toBe(409);
    expect((await get(app.base, ADMIN_TOKEN, `/v1/organisations/${a.orgId}/reports/inventory?period=2024`)).body.source).toBe('postgres');
  });
});
