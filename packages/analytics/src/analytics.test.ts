import { copyRows, loadMarketScope2Factors, runInventory, runInventoryReport, storeFactorSet, storeGwpSets } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsCopyOutdated, createAnalyticsClient, exportChunkToAnalytics, exportRunToAnalytics, migrateAnalytics, reportAggregatesFromLines, runInventoryFromAnalytics, runInventoryReportFromAnalytics, type ClickHouseClient } from './index.ts';

/** A completed run written straight into Postgres: three entities (one 60% owned), mixed statuses. */
async function seedRun(t: ReturnType<typeof useTestDatabase>): Promise<string> {
  const { db } = t;
  await storeGwpSets(db.pg, [{ id: 'AR5', name: 'AR5', horizonYears: 100, source: 'test', values: { CH4: '28', N2O: '265' } }]);
  await storeFactorSet(db.pg, {
    meta: { id: 'fs', source: 't', edition: '1', publicationYear: 2025, licence: 'x', region: 'GB', gwpBasis: 'AR5' },
    fileName: 'f', checksum: 'c', skipped: [],
    factors: [{ id: 'fs:1', factorSetId: 'fs', activityKey: 'k', name: 'k', scope: 1, category: 'c', region: 'GB', year: 2025, unit: 'kg', co2e: '1', gasBasis: 'co2e', gwpBasis: 'AR5', gases: { CO2: '1' }, sourceRef: '1', sourceRows: [] }],
  });
  const org = (await db.pg.query(`insert into organisations (name) values ('A') returning id`)).rows[0].id;
  const ents: string[] = [];
  for (const [code, pct] of [['A', 100], ['B', 60], ['C', 100]] as const) {
    ents.push((await db.pg.query(`insert into entities (org_id, code, name, kind, country, ownership_pct) values ($1, $2, $2, 'site', 'GB', $3) returning id`, [org, code, pct])).rows[0].id);
  }
  const imp = (await db.pg.query(`insert into activity_imports (org_id, format) values ($1, 'csv') returning id`, [org])).rows[0].id;
  const run = (await db.pg.query(`insert into calculation_runs (org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size) values ($1, '2024-01-01', '2024-12-31', 'fs', 'AR5', 'complete', 10) returning id`, [org])).rows[0].id;
  const c = await db.pg.connect();
  try {
    const n = 3000;
    await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'],
      Array.from({ length: n }, (_, i) => [org, imp, i + 2, ents[i % 3], '2024-03-01', '2024-03-01', 'k', '1', 'kg']));
    const ids = (await c.query(`select id from activities where import_id = $1 order by id`, [imp])).rows.map((r) => r.id);
    await copyRows(c, 'calculation_results', ['run_id', 'activity_id', 'org_id', 'entity_id', 'period_start', 'chunk_no', 'status', 'factor_id', 'factor_set_id', 'scope', 'category', 'gwp_set_id', 'co2e_kg', 'co2_kg', 'ch4_kg', 'gas_kg', 'reason'],
      ids.map((id, i) => {
        if (i % 10 === 9) return [run, id, org, ents[i % 3], '2024-03-01', 0, 'unmatched', null, null, null, null, 'AR5', null, null, null, null, 'NO_FACTOR_FOR_ACTIVITY_TYPE'];
        const co2 = `${(i % 37) + 1}.${String((i * 7919) % 1_000_000_000_000).padStart(12, '0')}`;
        const ch4 = `0.${String((i * 104729) % 1_000_000_000_000).padStart(12, '0')}`;
        return [run, id, org, ents[i % 3], '2024-03-01', 0, 'calculated', 'fs:1', 'fs', (i % 3) + 1, ['x', 'y'][i % 2], 'AR5', co2, co2, ch4, { CO2: co2, CH4: ch4 }, null];
      }));
  } finally {
    c.release();
  }
  return run;
}

/** A second run of the organisation with the same results in Postgres; chunkNo: the SQL of each row's chunk. */
async function copyOfRun(t: ReturnType<typeof useTestDatabase>, runId: string, chunkNo: string): Promise<{ org: string; run: string }> {
  const { org_id: org, id: run } = (await t.db.pg.query(
    `insert into calculation_runs (org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size)
     select org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size from calculation_runs where id = $1 returning org_id, id`,
    [runId],
  )).rows[0];
  await t.db.pg.query(`insert into calculation_results select $2, activity_id, org_id, entity_id, period_start, ${chunkNo}, status, factor_id, factor_set_id, factor_source_ref, scope, category, unit_from, unit_to, unit_multiplier,
    unit_assumption, gwp_set_id, co2e_method, co2e_kg, co2_kg, ch4_kg, n2o_kg, gas_kg, reason, detail from calculation_results where run_id = $1`, [runId, run]);
  return { org, run };
}

describe('ClickHouse analytics copy (embedded chDB)', () => {
  const t = useTestDatabase();
  let ch: ClickHouseClient;
  let runId: string;
  beforeAll(async () => {
    ch = await createAnalyticsClient({ path: ':memory:' });
    await migrateAnalytics(ch);
    runId = await seedRun(t);
  });
  afterAll(() => ch?.close());

  it('reports the same inventory as Postgres, to the last digit, under both consolidation approaches', async () => {
    expect(await exportRunToAnalytics(t.db, ch, runId)).toEqual({ rows: 3000, copied: 3000 });
    for (const approach of ['operational_control', 'equity_share']) {
      const pg = await runInventory(t.db.pool, runId, approach);
      const fromCh = await runInventoryFromAnalytics(ch, runId, approach);
      expect(fromCh, approach).toEqual(pg);
    }
  });

  it('does not double-count a repeated export', async () => {
    await exportRunToAnalytics(t.db, ch, runId);
    await exportRunToAnalytics(t.db, ch, runId);
    const rs = await ch.query({ query: 'SELECT count() AS n FROM emission_results FINAL WHERE run_id = {r:UUID}', query_params: { r: runId }, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ n: '3000' }]);
    const pg = await runInventory(t.db.pool, runId, 'operational_control');
    expect((await runInventoryFromAnalytics(ch, runId, 'operational_control')).totals).toEqual(pg.totals);
    // the report columns are part of the same rows: repeated exports count each row once there too
    const org = (await t.db.pg.query('select org_id from calculation_runs where id = $1', [runId])).rows[0].org_id;
    for (const approach of ['operational_control', 'equity_share']) {
      const report = await runInventoryReportFromAnalytics(ch, org, runId, approach, await loadMarketScope2Factors(t.db.pool, runId));
      expect(report, approach).toEqual(await runInventoryReport(t.db.pool, runId, approach));
      expect(report.totals.activities).toEqual({ total: 3000, calculated: 2700, unmatched: 300, failed: 0 });
      expect(report.breakdowns.entity.reduce((n, l) => n + l.activities, 0)).toBe(2700);
      // read from the rollup: the completed export's marker counts the run's rows, the rollup holds each once
      expect(await reportAggregatesFromLines(ch, org, runId, approach)).not.toBeNull();
    }
  });

  it('refuses to report from a copy made before the report columns, until the run is exported again', async () => {
    // a second run with the same results, whose analytics copy has only the first file's columns
    const { org, run: copy } = await copyOfRun(t, runId, 'chunk_no');
    const cols = 'org_id, activity_id, entity_id, ownership_pct, period_start, status, scope, category, factor_id, factor_set_id, gwp_set_id, co2e_kg, gas_kg, reason';
    await ch.command({ query: `INSERT INTO emission_results (run_id, ${cols}) SELECT {copy:UUID}, ${cols} FROM emission_results FINAL WHERE run_id = {r:UUID}`, query_params: { r: runId, copy } });
    // no completed export of this run: the rollup is not trusted, and the scan finds the old copy
    expect(await reportAggregatesFromLines(ch, org, copy, 'operational_control')).toBeNull();
    await expect(runInventoryReportFromAnalytics(ch, org, copy, 'operational_control', await loadMarketScope2Factors(t.db.pool, copy))).rejects.toBeInstanceOf(AnalyticsCopyOutdated);
    await exportRunToAnalytics(t.db, ch, copy);
    const rs = await ch.query({ query: 'SELECT count() AS n FROM emission_results FINAL WHERE run_id = {r:UUID}', query_params: { r: copy }, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ n: '3000' }]);
    expect(await runInventoryReportFromAnalytics(ch, org, copy, 'equity_share', await loadMarketScope2Factors(t.db.pool, copy))).toEqual(await runInventoryReport(t.db.pool, copy, 'equity_share'));
    await expect(runInventoryReportFromAnalytics(ch, org, '00000000-0000-4000-8000-000000000000', 'operational_control', { factors: [], ignored: [] })).rejects.toBeInstanceOf(AnalyticsCopyOutdated);
  });

  it('copies chunk by chunk as chunks commit, and finalisation copies only the chunks missing, never a row twice', async () => {
    // the same results as a run of three chunks (the last two carried or failed to copy)
    const { org, run } = await copyOfRun(t, runId, '(activity_id % 3)::int - 1');
    const copied = async () => {
      const rs = await ch.query({ query: 'SELECT chunk_no, count() AS n FROM emission_results WHERE run_id = {r:UUID} GROUP BY chunk_no ORDER BY chunk_no', query_params: { r: run }, format: 'JSONEachRow' });
      return rs.json<{ chunk_no: number; n: string }>();
    };
    expect(await exportChunkToAnalytics(t.db, ch, run, 0)).toBe(1000);
    expect(await exportChunkToAnalytics(t.db, ch, run, 0)).toBe(1000); // a retried chunk: dropped as a duplicate
    expect(await copied()).toEqual([{ chunk_no: 0, n: '1000' }]);
    // not a complete copy yet: no marker, so reports do not trust the rollup
    expect(await reportAggregatesFromLines(ch, org, run, 'operational_control')).toBeNull();
    // finalisation copies the two chunks missing, then nothing
    expect(await exportRunToAnalytics(t.db, ch, run)).toEqual({ rows: 3000, copied: 2000 });
    expect(await exportRunToAnalytics(t.db, ch, run)).toEqual({ rows: 3000, copied: 0 });
    // without FINAL: each row once, so the rollup counts each once and is trusted
    expect(await copied()).toEqual([{ chunk_no: -1, n: '1000' }, { chunk_no: 0, n: '1000' }, { chunk_no: 1, n: '1000' }]);
    expect(await reportAggregatesFromLines(ch, org, run, 'equity_share')).not.toBeNull();
    expect(await runInventoryReportFromAnalytics(ch, org, run, 'equity_share', await loadMarketScope2Factors(t.db.pool, run))).toEqual(await runInventoryReport(t.db.pool, run, 'equity_share'));
  });
});
