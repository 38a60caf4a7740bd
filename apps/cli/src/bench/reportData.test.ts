import { createAnalyticsClient, exportChunkToAnalytics, exportRunToAnalytics, migrateAnalytics, reportAggregatesFromLines, runInventoryReportFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { loadMarketScope2Factors, runInventoryReport } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferenceData } from '../referenceData.ts';
import { copyBenchDataToClickHouse, generateBenchData, planRows, type BenchRun } from './reportData.ts';

// The code path of `pnpm bench:report` on a few thousand rows (not timed).
describe('bench:report data: the same rows in Postgres and ClickHouse', () => {
  const t = useTestDatabase();
  let ch: ClickHouseClient;
  let runs: BenchRun[];
  beforeAll(async () => {
    ch = await createAnalyticsClient({ path: ':memory:' });
    await migrateAnalytics(ch);
    await loadReferenceData(t.db, () => undefined);
    runs = await generateBenchData(t.db, { rows: 6000, orgs: 2, bigShare: 0.5 });
    await copyBenchDataToClickHouse(t.db, ch, t.url, runs.map((r) => r.runId));
  });
  afterAll(() => ch?.close());

  it('splits the rows over the organisation-years, the big one taking its share', () => {
    const plan = planRows({ rows: 1000, orgs: 3, bigShare: 0.15 });
    expect(plan).toHaveLength(9);
    expect(plan[0]).toEqual({ org: 0, year: 2024, rows: 150 });
    expect(plan.reduce((n, p) => n + p.rows, 0)).toBe(1000);
    expect(runs.reduce((n, r) => n + r.rows, 0)).toBe(6000);
  });

  it('gives the identical inventory from both stores, from the rollup and from the scan of a duplicated copy', async () => {
    const big = runs.reduce((a, b) => (b.rows > a.rows ? b : a));
    expect(big).toMatchObject({ rows: 3000, year: 2024, consolidationApproach: 'equity_share' });
    const market = await loadMarketScope2Factors(t.db.pool, big.runId);
    for (const approach of ['equity_share', 'operational_control']) {
      const pg = await runInventoryReport(t.db.pool, big.runId, approach);
      expect(await runInventoryReportFromAnalytics(ch, big.orgId, big.runId, approach, market), approach).toEqual(pg);
      // the generated rows cover what the report breaks down
      expect(pg.totals.activities.total).toBe(3000);
      expect(Number(pg.scope1.co2eKg) > 0 && Number(pg.scope2.locationBased.co2eKg) > 0 && Number(pg.scope3.co2eKg) > 0).toBe(true);
      expect(pg.dataQuality.byCalculationMethod.every((m) => m.activities > 0)).toBe(true);
      expect(new Set(pg.breakdowns.month.map((l) => l.key)).size).toBe(12);
      // market-based Scope 2 applies every kind of instrument the bench stores
      const mb = pg.scope2.marketBased;
      expect(new Set(mb.byInstrument.map((l) => l.kind))).toEqual(new Set(['supplier_specific', 'contractual_instrument', 'residual_mix', 'location_fallback']));
      expect(Number(mb.coveredKWh) > 0 && Number(mb.supplierSpecificKWh) > 0 && Number(mb.co2eKg) < Number(pg.scope2.locationBased.co2eKg)).toBe(true);
    }
    expect(await reportAggregatesFromLines(ch, big.orgId, big.runId, 'equity_share')).not.toBeNull();

    // A second copy of the same rows, not yet replaced: the rollup counts them twice, so the report scans instead.
    await ch.command({
      query: `INSERT INTO emission_results SELECT * FROM emission_results WHERE run_id = {r:UUID}`,
      query_params: { r: big.runId },
      clickhouse_settings: { insert_deduplicate: 0 },
    });
    expect(await reportAggregatesFromLines(ch, big.orgId, big.runId, 'equity_share')).toBeNull();
    expect(await runInventoryReportFromAnalytics(ch, big.orgId, big.runId, 'equity_share', market)).toEqual(await runInventoryReport(t.db.pool, big.runId, 'equity_share'));
  });

  it('keeps the rollup exact through the worker\'s export: a chunk copied twice (a retried chunk), then finalisation twice', async () => {
    // a copy of a small run, not yet in ClickHouse (chDB's ':memory:' is one store per process)
    const small = runs.find((r) => r.consolidationApproach === 'financial_control')!;
    const cols = `activity_id, org_id, entity_id, period_start, chunk_no, status, factor_id, factor_set_id, factor_source_ref, scope, category,
      unit_from, unit_to, unit_multiplier, gwp_set_id, co2e_method, co2e_kg, co2_kg, ch4_kg, n2o_kg, gas_kg, reason, detail, match, method`;
    const copy = (await t.db.pg.query(`insert into calculation_runs (org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size)
      select org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size from calculation_runs where id = $1 returning id`, [small.runId])).rows[0].id as string;
    await t.db.pg.query(`insert into calculation_results (run_id, ${cols}) select $2, ${cols} from calculation_results where run_id = $1`, [small.runId, copy]);
    // the generator's chunks hold 10,000 rows each: this run is chunk 0
    expect(await exportChunkToAnalytics(t.db, ch, copy, 0)).toBe(small.rows);
    expect(await exportChunkToAnalytics(t.db, ch, copy, 0)).toBe(small.rows);
    expect(await exportRunToAnalytics(t.db, ch, copy)).toEqual({ rows: small.rows, copied: 0 });
    expect(await exportRunToAnalytics(t.db, ch, copy)).toEqual({ rows: small.rows, copied: 0 });
    expect(await reportAggregatesFromLines(ch, small.orgId, copy, 'financial_control')).not.toBeNull();
    const market = await loadMarketScope2Factors(t.db.pool, copy);
    expect(await runInventoryReportFromAnalytics(ch, small.orgId, copy, 'financial_control', market)).toEqual(await runInventoryReport(t.db.pool, copy, 'financial_control'));
  });
});
