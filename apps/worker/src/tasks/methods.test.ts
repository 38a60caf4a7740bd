import { validateOrganisationFactors } from '@tally/core';
import { createMappingRule, copyRows, reviewGroups, runMethodTotals, runResults, storeOrganisationFactorSet, type RunRow } from '@tally/db';
import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { runUntilFinished } from '../test/runs.ts';

/**
 * Methods beyond quantity x factor, end to end on the bundled published sets: air travel by band,
 * class and both RF variants (DESNZ 2025), spend in euros through the exchange rate and US CPI-U
 * to EPA v1.3.0's 2022 dollars, and resolution over several sets in priority order.
 */
describe('calculation methods on the published factor sets', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let orgId: string;
  let ownSetId: string;

  beforeAll(async () => {
    await storeBundledReference(t.db, { economics: true, factorSets: ['desnz-2025', 'epa-sc-v1.3.0', 'owid-ember-grid-2025'] });
    orgId = (await t.db.pg.query<{ id: string }>(`insert into organisations (name) values ('Methods') returning id`)).rows[0]!.id;
    const gb = (await t.db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'GB1', 'UK', 'legal_entity', 'GB') returning id`, [orgId])).rows[0]!.id;
    const fr = (await t.db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'FR1', 'France', 'site', 'FR') returning id`, [orgId])).rows[0]!.id;
    const imp = (await t.db.pg.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [orgId])).rows[0]!.id;
    const client = await t.db.pg.connect();
    try {
      await copyRows(client, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'amount', 'currency', 'attributes'], [
        [orgId, imp, 2, gb, '2024-03-01', '2024-03-01', 'air-travel', '12400', 'km', null, null, { origin: 'GB', destination: 'US', trips: 2, cabin_class: 'economy' }],
        [orgId, imp, 3, gb, '2024-04-01', '2024-04-30', 'naics-2017/331110', '1000', 'EUR', null, null, null],
        [orgId, imp, 4, fr, '2024-05-01', '2024-05-31', 'electricity/grid-average-location-based', '1000', 'kWh', null, null, null],
        [orgId, imp, 5, gb, '2024-06-01', '2024-06-30', 'naics-2017/331110', '2', 'tonne', '1000', 'EUR', null],
        [orgId, imp, 7, gb, '2024-08-01', '2024-08-03', 'hotel-stay/hotel-stay', '2', 'room nights', null, null, { location: 'AU' }],
      ]);
      await copyRows(client, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'description'], [
        [orgId, imp, 8, gb, '2024-09-01', '2024-09-30', 'spend', '1000', 'USD', 'Iron and steel mills'],
        [orgId, imp, 9, gb, '2024-09-01', '2024-09-30', 'spend', '1000', 'USD', 'ZZQX 12-1/4 IN'],
      ]);
      await copyRows(client, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'supplier', 'amount', 'currency'], [
        [orgId, imp, 6, gb, '2024-07-01', '2024-07-31', 'naics-2017/331110', '2', 'tonne', 'ACME Steel', '1000', 'EUR'],
      ]);
    } finally {
      client.release();
    }
    // The organisation's supplier-specific factor for its steel supplier, per tonne.
    const own = validateOrganisationFactors(
      [{ key: 'naics-2017/331110/purchaser-price', name: 'Acme hot-rolled coil (EPD)', unit: 'tonne', co2e: '1850', gwpBasis: 'AR5', scope: 3, category: '3.1 Purchased goods and services', year: 2024, kind: 'supplier_specific', supplier: 'Acme Steel' }],
      { gwpSetIds: ['AR4', 'AR5', 'AR6'] },
    );
    if (!own.ok) throw new Error(JSON.stringify(own.errors));
    ownSetId = (await storeOrganisationFactorSet(t.db.pg, { orgId, series: 'suppliers', factors: own.factors })).id;
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 2, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  async function runToEnd(options: { radiativeForcing?: 'with' | 'without'; matchThreshold?: number } = {}): Promise<RunRow> {
    return runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'desnz-2025', factorSetIds: [ownSetId, 'desnz-2025', 'epa-sc-v1.3.0', 'owid-ember-grid-2025'], gwpSetId: 'AR5', chunkSize: 100, options });
  }
  const results = async (runId: string) =>
    (await t.db.pg.query(`select a.line_no, r.* from calculation_results r join activities a on a.id = r.activity_id where r.run_id = $1 order by a.line_no`, [runId])).rows;

  it('reports air travel with RF by default and keeps the figure without', async () => {
    const run = await runToEnd();
    expect(run.status).toBe('complete');
    const [flight] = await results(run.id);
    // 12,400 passenger.km, 6,200 km a trip: long-haul to/from the UK, economy, DESNZ 2025 0.11704 / 0.06926
    expect(flight).toMatchObject({ status: 'calculated', method: 'air-travel', factor_id: 'desnz-2025:21_316_3170_11', co2e_kg: '1451.296', co2e_variants: { with_rf: '1451.296', without_rf: '858.824' } });
    expect(flight.resolution).toContain('reported with radiative forcing');
    const without = await runToEnd({ radiativeForcing: 'without' });
    expect((await results(without.id))[0]).toMatchObject({ co2e_kg: '858.824', co2e_variants: { with_rf: '1451.296', without_rf: '858.824' } });
    // the report says which variant it counts and what the other gives
    expect(await runMethodTotals(t.db.pool, without.id, 'operational_control', 'without')).toMatchObject({
      airTravel: { radiativeForcing: 'without', activities: 1, reportedCo2eKg: '858.824', withRfCo2eKg: '1451.296', withoutRfCo2eKg: '858.824' },
    });
  });

  it('converts euro spend to 2022 US dollars and records each step; uses the spend of a line measured in tonnes', async () => {
    const run = await runToEnd();
    const [, spend, , byAmount, supplier] = await results(run.id);
    // the supplier's own factor wins for its lines, in the unit it is published in
    expect(supplier).toMatchObject({ factor_set_id: ownSetId, co2e_kg: '3700', unit_from: 'tonne' });
    expect(supplier.resolution).toContain('supplier-specific factor of Acme Steel');
    // 1000 EUR x 1.0822 USD/EUR (2024) x 292.655/313.689 (CPI-U 2022/2024) x 0.787 kg CO2e per 2022 USD
    expect(spend).toMatchObject({ status: 'calculated', factor_id: 'epa-sc-v1.3.0:331110:purchaser', unit_from: 'EUR', unit_to: 'USD', co2e_kg: '794.582362362085', co2e_method: 'published_total' });
    expect(spend.conversion).toMatchObject([
      { step: 'exchange_rate', from: 'EUR', to: 'USD', year: 2024, usdPerUnit: '1.0822' },
      { step: 'price_index', indexId: 'US-CPI-U', fromYear: 2024, toYear: 2022, fromValue: '313.689', toValue: '292.655' },
    ]);
    expect(spend.resolution).toContain('purchaser price factor');
    expect(byAmount).toMatchObject({ co2e_kg: '794.582362362085', unit_assumption: "the line's spend (1000 EUR) used, not its quantity" });
  });

  it('prices a hotel night by the country of the stay, not the entity\'s', async () => {
    const run = await runToEnd();
    const hotel = (await results(run.id))[5];
    expect(hotel).toMatchObject({ line_no: 7, status: 'calculated', factor_id: 'desnz-2025:29_600_4003_13', co2e_kg: '70' });
    expect(hotel.resolution).toContain('located in AU');
  });

  it('matches rows that name no factor from their text, and keeps the engine\'s answer on the result', async () => {
    const run = await runToEnd({ matchThreshold: 0.3 });
    const [matched, none] = (await results(run.id)).slice(6);
    expect(matched).toMatchObject({ line_no: 8, status: 'calculated', factor_id: 'epa-sc-v1.3.0:331110:purchaser', match: { key: 'naics-2017/331110', method: 'text' } });
    expect(matched.resolution).toMatch(/^matched by text to naics-2017\/331110/);
    expect(none).toMatchObject({ line_no: 9, status: 'unmatched', reason: 'NO_MATCH', match: { key: null, method: 'none' } });
  });

  it('rates each calculated row\'s data quality in its result: technological, geographical, temporal', async () => {
    const run = await runToEnd({ matchThreshold: 0.3 });
    const rows = await runResults(t.db.pool, run.id, null, 100);
    const byLine = new Map(rows.map((r) => [r.lineNo, r.dataQuality]));
    // supplier's own 2024 figure, no region: supplier-specific 1, a supplier's figure without region 2, same year 1
    expect(byLine.get(6)).toEqual({ calculationMethod: 'supplier_specific', technological: 1, geographical: 2, temporal: 1 });
    // EUR spend on a US 2022 factor from a GB entity: spend-based 4, another region 4, two years 2
    expect(byLine.get(3)).toEqual({ calculationMethod: 'spend_based', technological: 4, geographical: 4, temporal: 2 });
    // French grid electricity 2024: activity-based 2, same country 1, same year 1
    expect(byLine.get(4)).toEqual({ calculationMethod: 'activity_based', technological: 2, geographical: 1, temporal: 1 });
    // matched by text: one step poorer than a named spend factor
    expect(byLine.get(8)).toMatchObject({ calculationMethod: 'spend_based', technological: 5 });
    expect(byLine.get(9)).toBeNull();
  });

  it('resolves grid electricity for a French site in the next set that has France', async () => {
    const run = await runToEnd();
    const grid = (await results(run.id))[2];
    expect(grid).toMatchObject({ status: 'calculated', factor_set_id: 'owid-ember-grid-2025', factor_id: 'owid-ember-grid-2025:FR:2024', co2e_kg: '40.83' });
  });

  it('holds weak matches for review, grouped by text; a confirmed or overriding rule is applied by the next run, with who set it', async () => {
    const first = await runToEnd({ matchThreshold: 1 });
    const held = (await results(first.id)).slice(6);
    expect(held.map((r) => r.reason)).toEqual(['NEEDS_REVIEW', 'NO_MATCH']);
    const groups = await reviewGroups(t.db.pool, first.id, 10);
    expect(groups).toEqual([
      expect.objectContaining({ text: 'iron and steel mills', reason: 'NEEDS_REVIEW', rows: 1, spend: { USD: '1000' }, spendShare: '0.5', proposal: expect.objectContaining({ key: 'naics-2017/331110' }) }),
      expect.objectContaining({ text: 'zzqx 12-1/4 in', reason: 'NO_MATCH', rows: 1, spend: { USD: '1000' } }),
    ]);
    const confirmed = await createMappingRule(t.db.pool, orgId, { kind: 'exact', field: 'description', pattern: groups[0]!.text, key: 'naics-2017/331110', createdBy: 'api-key:reviewer' });
    await createMappingRule(t.db.pool, orgId, { kind: 'exact', field: 'description', pattern: groups[1]!.text, key: 'naics-2017/332722', createdBy: 'api-key:reviewer' });
    const next = await runToEnd({ matchThreshold: 1 });
    const [steel, bolts] = (await results(next.id)).slice(6);
    expect(steel).toMatchObject({ status: 'calculated', factor_id: 'epa-sc-v1.3.0:331110:purchaser', match: { method: 'rule', confidence: 1, evidence: { ruleId: confirmed.id, createdBy: 'api-key:reviewer' } } });
    expect(bolts).toMatchObject({ status: 'calculated', factor_id: 'epa-sc-v1.3.0:332722:purchaser', match: { method: 'rule' } });
    // the run's CO2e by how factors were chosen: named by the row, or matched by a rule
    const byMethod = (await runMethodTotals(t.db.pool, next.id, 'operational_control', 'with')).byMatchMethod;
    expect(byMethod.map((m) => [m.method, m.activities])).toEqual([['direct', 6], ['rule', 2]]);
    expect(byMethod.reduce((s, m) => s + Number(m.share), 0)).toBeCloseTo(1, 5);
    // what the SRE sees: rows held for review and rows matched by rule, by method and status
    const metrics = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    const matched = (method: string, status: string) =>
      Number(metrics.split('\n').find((l) => l.startsWith('tally_rows_matched_total{') && l.includes(`method="${method}"`) && l.includes(`status="${status}"`))?.split(' ')[1] ?? 0);
    expect(matched('text', 'unmatched')).toBeGreaterThanOrEqual(1);
    expect(matched('none', 'unmatched')).toBeGreaterThanOrEqual(1);
    expect(matched('rule', 'calculated')).toBe(2);
  });
});
