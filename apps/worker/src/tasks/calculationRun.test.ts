import { createAnalyticsClient, runInventoryFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { commitChunk, findRun, planRun, RESULT_ROW_COLUMNS, runInventory } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { seedActivities, seedReference } from '../test/seed.ts';
import { runUntilFinished } from '../test/runs.ts';

describe('calculation runs through graphile-worker and the thread pool', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let analytics: ClickHouseClient;
  let orgId: string;
  const N = 2_500;

  beforeAll(async () => {
    await seedReference(t.db);
    ({ orgId } = await seedActivities(t.db, N, (i) => (i % 50 === 49 ? 'unknown-thing' : i % 3 === 0 ? 'electricity' : 'diesel')));
    analytics = await createAnalyticsClient({ path: ':memory:' });
    worker = await startWorker(
      { DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 3, CALC_THREADS: 2, LOG_LEVEL: 'silent' },
      { noHandleSignals: true, analytics },
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await analytics?.close();
  });

  const run = async (chunkSize: number, gwpSetId = 'AR5') => {
    return runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'test-2025', gwpSetId, chunkSize });
  };

  it('calculates every activity once, with lineage, and completes the run', async () => {
    const done = await run(400);
    expect(done.status).toBe('complete');
    expect(done.chunksTotal).toBe(Math.ceil(N / 400));
    expect(done.chunksDone).toBe(done.chunksTotal);
    expect(done.rowsDone).toBe(String(N));
    const counts = await t.db.pg.query(
      `select status, count(*)::int as n, count(distinct activity_id)::int as d from calculation_results where run_id = $1 group by status order by status`,
      [done.id],
    );
    expect(counts.rows).toEqual([
      { status: 'calculated', n: N - 50, d: N - 50 },
      { status: 'unmatched', n: 50, d: 50 },
    ]);
    // one litre of diesel -> DESNZ 2025 2.57082 kg CO2e; CO2 2.53763 kg; CH4 0.00029 kg CO2e / 28 = kg CH4
    const one = await t.db.pg.query(
      `select r.co2e_kg, r.co2_kg, r.ch4_kg, r.n2o_kg, r.factor_id, r.unit_from, r.unit_to, r.unit_multiplier, r.gwp_set_id, r.co2e_method, a.quantity
       from calculation_results r join activities a on a.id = r.activity_id where r.run_id = $1 and a.activity_type = 'diesel' and a.quantity = 1.1 limit 1`,
      [done.id],
    );
    expect(one.rows[0]).toMatchObject({
      co2e_kg: '2.827902',
      co2_kg: '2.791393',
      ch4_kg: '0.000011392857',
      factor_id: 'test-2025:1_101_1011_8',
      unit_from: 'litre',
      unit_to: 'litre',
      unit_multiplier: '1',
      gwp_set_id: 'AR5',
      co2e_method: 'published_total',
    });
  });

  it('gives identical results whatever the chunking, run after run', async () => {
    const a = await run(400);
    const b = await run(97);
    const c = await run(5_000);
    const rows = async (id: string) =>
      (await t.db.pg.query(`select activity_id, co2e_kg, gas_kg from calculation_results where run_id = $1 order by activity_id`, [id])).rows;
    const ra = await rows(a.id);
    expect(await rows(b.id)).toEqual(ra);
    expect(await rows(c.id)).toEqual(ra);
    const ia = await runInventory(t.db.pool, a.id, 'operational_control');
    const ib = await runInventory(t.db.pool, b.id, 'operational_control');
    expect(ib.totals).toEqual(ia.totals);
    expect(ib.byGas).toEqual(ia.byGas);
    // the exact sum of per-row results, computed independently in SQL
    const sum = await t.db.pg.query(`select trim_scale(sum(co2e_kg))::text as s from calculation_results where run_id = $1`, [a.id]);
    expect(ia.totals.co2eKg).toBe(sum.rows[0].s);
    const equity = await runInventory(t.db.pool, a.id, 'equity_share');
    expect(equity.totals.co2eKg).not.toBe(ia.totals.co2eKg);
    // chunks and finalisation copied each run to ClickHouse, each row once (no FINAL here), which reports the same figures
    for (const id of [a.id, b.id, c.id]) {
      const rs = await analytics.query({ query: 'SELECT count() AS n, uniqExact(chunk_no) AS chunks FROM emission_results WHERE run_id = {r:UUID}', query_params: { r: id }, format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ n: String(N), chunks: String(Math.ceil(N / { [a.id]: 400, [b.id]: 97, [c.id]: 5_000 }[id]!)) }]);
    }
    expect(await runInventoryFromAnalytics(analytics, a.id, 'operational_control')).toEqual(ia);
    expect(await runInventoryFromAnalytics(analytics, b.id, 'equity_share')).toEqual(await runInventory(t.db.pool, b.id, 'equity_share'));
  });

  it('restates non-CO2 gases under another GWP set and keeps CO2 unchanged', async () => {
    const ar5 = await run(1000, 'AR5');
    const ar6 = await run(1000, 'AR6');
    const q = async (id: string) =>
      (await t.db.pg.query(`select sum(co2_kg)::text as co2, sum(co2e_kg)::text as co2e, sum(ch4_kg)::text as ch4 from calculation_results where run_id = $1`, [id])).rows[0];
    const [x, y] = [await q(ar5.id), await q(ar6.id)];
    expect(y.co2).toBe(x.co2);
    expect(y.ch4).toBe(x.ch4);
    expect(y.co2e).not.toBe(x.co2e);
  });

  it('never writes a chunk twice: a retried chunk or re-planned run is a no-op', async () => {
    const done = await run(1000);
    const before = await t.db.pg.query(`select count(*)::int as n, sum(co2e_kg)::text as s from calculation_results where run_id = $1`, [done.id]);
    const again = await commitChunk(t.db.pg, done.id, 0, { columns: RESULT_ROW_COLUMNS, copyText: new Uint8Array(), rowCount: 0, lineages: [] });
    expect(again.status).toBe('already_done');
    expect((await planRun(t.db.pg, done.id)).status).toBe('already_planned');
    const after = await t.db.pg.query(`select count(*)::int as n, sum(co2e_kg)::text as s from calculation_results where run_id = $1`, [done.id]);
    expect(after.rows).toEqual(before.rows);
    const run2 = await findRun(t.db.pool, done.id);
    expect(run2?.chunksDone).toBe(done.chunksTotal);
  });

  it('completes an empty period at once', async () => {
    const done = await runUntilFinished(t.db.pool, { orgId, periodStart: '2019-01-01', periodEnd: '2019-12-31', factorSetId: 'test-2025', gwpSetId: 'AR5', chunkSize: 100 });
    expect(done).toMatchObject({ status: 'complete', chunksTotal: 0, rowsTotal: '0' });
  });

  it('exposes job and row metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    expect(text).toMatch(/tally_jobs_finished_total\{[^}]*task="calculate_chunk"[^}]*outcome="success"[^}]*\} \d+/);
    expect(text).toMatch(/tally_rows_calculated_total\{[^}]*status="calculated"[^}]*\} \d+/);
    expect(text).toMatch(/tally_job_duration_seconds_bucket\{/);
    // the analytics copy grew chunk by chunk
    expect(Number(/^tally_analytics_rows_copied_total\{[^}]*stage="chunk"[^}]*\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});
