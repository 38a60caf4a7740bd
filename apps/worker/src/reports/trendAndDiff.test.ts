import { createAnalyticsClient, migrateAnalytics, runDiffFromAnalytics, runScopeFiguresFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { validateOrganisationFactors } from '@tally/core';
import {
  copyRows, createMappingRule, storeFactorSet, organisationTrend, recordBaseYear, runDiffCsv, runDiffFromPostgres, runScopeFigures, storeGwpSets, storeOrganisationFactorSet, updateOrganisation, type RunRow,
} from '@tally/db';
import { loadBundledFactorSet, loadBundledGwpSets } from '@tally/factor-data';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { runUntilFinished } from '../test/runs.ts';

/**
 * The run diff and the base-year trend on runs calculated by the real worker, read from Postgres
 * and from ClickHouse (chDB): identical, and equal to hand-computed figures. Factors (per litre):
 * diesel v1 2.5 kg CO2 + 0.01 kg CH4, v2 2.6 + 0.01; biodiesel 0.1 + 0.01; grid 0.2 kg CO2/kWh.
 * CH4 is 28 under AR5 and 27.9 under AR6, so diesel is 2.78 (v1) or 2.88 (v2) kg CO2e/l under AR5.
 */
describe('run diff and trend: hand-computed, identical from Postgres and ClickHouse', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let ch: ClickHouseClient;
  let orgId: string;
  let v1: string;
  let v2: string;
  const acts = new Map<number, string>();
  const runs: RunRow[] = [];

  const insert = async (q: string, v: unknown[]) => (await t.db.pg.query<{ id: string }>(q, v)).rows[0]!.id;
  const factors = (dieselCo2: string) => {
    const own = validateOrganisationFactors(
      [
        { key: 'test/diesel', name: 'Diesel', unit: 'litres', gases: { CO2: dieselCo2, CH4: '0.01' }, scope: 1, category: '1 Stationary combustion', region: 'GB', year: 2024 },
        { key: 'test/bio', name: 'Biodiesel', unit: 'litres', gases: { CO2: '0.1', CH4: '0.01' }, scope: 1, category: '1 Stationary combustion', region: 'GB', year: 2024 },
        { key: 'test/grid', name: 'Grid GB', unit: 'kWh', gases: { CO2: '0.2' }, scope: 2, category: '2 Purchased electricity', region: 'GB', year: 2024 },
      ],
      { gwpSetIds: ['AR4', 'AR5', 'AR6'] },
    );
    if (!own.ok) throw new Error(JSON.stringify(own.errors));
    return own.factors;
  };

  async function runToEnd(org: string, setId: string, gwpSetId: string, year = 2024, options: RunRow['options'] = {}): Promise<RunRow> {
    const run = await runUntilFinished(t.db.pool, { orgId: org, periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, factorSetId: setId, factorSetIds: [setId], gwpSetId, chunkSize: 100, options });
    expect(run.status).toBe('complete');
    return run;
  }

  beforeAll(async () => {
    await storeGwpSets(t.db.pg, await loadBundledGwpSets());
    orgId = await insert(`insert into organisations (name) values ('Diff') returning id`, []);
    const p = await insert(`insert into entities (org_id, code, name, kind, country) values ($1, 'P', 'Parent plc', 'legal_entity', 'GB') returning id`, [orgId]);
    v1 = (await storeOrganisationFactorSet(t.db.pg, { orgId, series: 'reporting', factors: factors('2.5') })).id;
    const imp = await insert(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [orgId]);
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'description'], [
        [orgId, imp, 2, p, '2024-01-15', '2024-01-15', 'test/diesel', '100', 'litres', null],
        [orgId, imp, 3, p, '2024-02-15', '2024-02-15', 'test/diesel', '40', 'litres', null],
        [orgId, imp, 4, p, '2024-03-15', '2024-03-15', 'match', '50', 'litres', 'Forklift fuel'],
        [orgId, imp, 5, p, '2024-04-01', '2024-04-30', 'test/grid', '1000', 'kWh', null],
      ]);
      for (const r of (await c.query<{ id: string; line_no: number }>(`select id, line_no from activities where import_id = $1`, [imp])).rows) acts.set(r.line_no, r.id);
    } finally {
      c.release();
    }
    await createMappingRule(t.db.pool, orgId, { kind: 'exact', field: 'description', pattern: 'forklift fuel', key: 'test/diesel', createdBy: 'api-key:first' });
    ch = await createAnalyticsClient({ path: ':memory:' });
    await migrateAnalytics(ch);
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 2, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true, analytics: ch });

    // R0: the baseline. R1: line 3 corrected 40 -> 50 l. R2: the factor set's second version
    // (diesel 2.5 -> 2.6 kg CO2/l). R3: the rule now maps "forklift fuel" to biodiesel. R4: AR6.
    runs.push(await runToEnd(orgId, v1, 'AR5'));
    await t.db.pg.query(`update activities set quantity = 50 where id = $1`, [acts.get(3)]);
    runs.push(await runToEnd(orgId, v1, 'AR5'));
    v2 = (await storeOrganisationFactorSet(t.db.pg, { orgId, series: 'reporting', factors: factors('2.6') })).id;
    runs.push(await runToEnd(orgId, v2, 'AR5'));
    await createMappingRule(t.db.pool, orgId, { kind: 'exact', field: 'description', pattern: 'forklift fuel', key: 'test/bio', createdBy: 'api-key:second' });
    runs.push(await runToEnd(orgId, v2, 'AR5'));
    runs.push(await runToEnd(orgId, v2, 'AR6'));
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await ch?.close();
  });

  const bothStores = async (a: RunRow, b: RunRow, top?: number) => {
    const pg = await runDiffFromPostgres(t.db.pool, a, b, 'operational_control', top);
    const fromCh = await runDiffFromAnalytics(ch, t.db.pool, orgId, a, b, 'operational_control', top);
    expect(fromCh).toEqual(pg);
    return pg;
  };
  const zero = { activity: '0', mapping: '0', factor: '0', method: '0' };

  it('attributes each single change to its effect, to the digit', async () => {
    const [r0, r1, r2, r3, r4] = runs as [RunRow, RunRow, RunRow, RunRow, RunRow];
    // corrected activity: line 3 is 50 l, not 40: +10 x 2.78
    const corrected = await bothStores(r0, r1);
    expect(corrected.totals).toEqual({ from: '728.2', to: '756', change: '27.8', effects: { ...zero, activity: '27.8' } });
    expect(corrected.lines.map((l) => [l.label?.lineNo, l.effects, l.drivers.activity])).toEqual([[3, { ...zero, activity: '27.8' }, 'quantity']]);
    // new edition: diesel +0.1 kg/l on 100 + 50 + 50 l; grid has a new factor id of the same value
    const edition = await bothStores(r1, r2);
    expect(edition.totals).toEqual({ from: '756', to: '776', change: '20', effects: { ...zero, factor: '20' } });
    expect(edition.lines.map((l) => [l.label?.lineNo, l.effects.factor, l.drivers.factor])).toEqual([[2, '10', true], [3, '5', true], [4, '5', true], [5, '0', true]]);
    // mapping rule: 50 l from diesel (2.88) to biodiesel (0.38)
    const remapped = await bothStores(r2, r3);
    expect(remapped.totals).toEqual({ from: '776', to: '651', change: '-125', effects: { ...zero, mapping: '-125' } });
    expect(remapped.lines).toHaveLength(1);
    expect(remapped.lines[0]).toMatchObject({
      label: { lineNo: 4, activityType: 'match', entityCode: 'P' },
      drivers: { mapping: ['factor_key', 'match_rule'] },
      from: { factorKey: 'test/diesel', matchMethod: 'rule', co2eKg: '144' },
      to: { factorKey: 'test/bio', matchMethod: 'rule', co2eKg: '19' },
    });
    expect(remapped.lines[0]!.from!.matchRuleId).not.toBe(remapped.lines[0]!.to!.matchRuleId);
    // AR5 -> AR6: CH4 28 -> 27.9 on 0.01 kg/l x 200 l
    const gwp = await bothStores(r3, r4);
    expect(gwp.totals).toEqual({ from: '651', to: '650.8', change: '-0.2', effects: { ...zero, method: '-0.2' } });
    expect(gwp.byScope).toEqual([
      { scope: 1, from: '451', to: '450.8', change: '-0.2', effects: { ...zero, method: '-0.2' } },
      { scope: 2, from: '200', to: '200', change: '0', effects: zero },
    ]);
  });

  it('splits the change across all four effects when everything moved at once', async () => {
    const d = await bothStores(runs[0]!, runs[4]!, 2);
    expect(d.totals).toEqual({ from: '728.2', to: '650.8', change: '-77.4', effects: { activity: '27.8', mapping: '-120', factor: '15', method: '-0.2' } });
    expect(d.linesTotal).toBe(4);
    // the top 2 by |change|: line 4 (139 -> 18.95), line 3 (111.2 -> 143.95)
    expect(d.lines.map((l) => [l.label?.lineNo, l.co2eKg, l.effects])).toEqual([
      [4, { from: '139', to: '18.95', change: '-120.05' }, { activity: '0', mapping: '-120', factor: '0', method: '-0.05' }],
      [3, { from: '111.2', to: '143.95', change: '32.75' }, { activity: '27.8', mapping: '0', factor: '5', method: '-0.05' }],
    ]);
    expect(d.order).toEqual(['activity', 'mapping', 'factor', 'method']);
    const all = await runDiffFromPostgres(t.db.pool, runs[0]!, runs[4]!, 'operational_control');
    const csv = runDiffCsv(all).trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/^activity_id,entity,activity_type,line_no,from_scope,to_scope,from_co2e_kg,to_co2e_kg,change_co2e_kg,activity_effect,mapping_effect,factor_effect,method_effect,drivers,/);
    expect(csv).toHaveLength(5);
    expect(csv[1]).toContain(`${acts.get(4)},P,match,4,1,1,139,18.95,-120.05,0,-120,0,-0.05,factor_key;match_rule;gwp_set,`);
  });

  it('reprices published factors exactly: an identical rerun moves nothing; radiative forcing and AR6 are method effects only', async () => {
    const desnz = await loadBundledFactorSet('desnz-2025');
    await storeFactorSet(t.db.pg, { meta: desnz.meta, fileName: desnz.fileName, checksum: desnz.checksum, factors: desnz.result.factors, skipped: desnz.result.skipped });
    const org = await insert(`insert into organisations (name) values ('Published') returning id`, []);
    const gb = await insert(`insert into entities (org_id, code, name, kind, country) values ($1, 'GB1', 'UK Ltd', 'legal_entity', 'GB') returning id`, [org]);
    const imp = await insert(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [org]);
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'attributes'], [
        [org, imp, 2, gb, '2024-03-01', '2024-03-01', 'air-travel', '12400', 'km', { origin: 'GB', destination: 'US', trips: 2, cabin_class: 'economy' }],
        [org, imp, 3, gb, '2024-03-05', '2024-03-07', 'hotel-stay/hotel-stay', '2', 'room nights', { location: 'AU' }],
        [org, imp, 4, gb, '2024-04-15', '2024-04-15', 'fuels/liquid-fuels/diesel-average-biofuel-blend', '1234.567', 'litres', null],
        [org, imp, 5, gb, '2024-05-15', '2024-05-15', 'fuels/gaseous-fuels/natural-gas', '98765.4321', 'kWh (Gross CV)', null],
      ]);
    } finally {
      c.release();
    }
    const first = await runToEnd(org, 'desnz-2025', 'AR5');
    expect((await t.db.pg.query(`select count(*)::int as n from calculation_results where run_id = $1 and status = 'calculated'`, [first.id])).rows[0]).toEqual({ n: 4 });
    const again = await runToEnd(org, 'desnz-2025', 'AR5');
    const noRf = await runToEnd(org, 'desnz-2025', 'AR5', 2024, { radiativeForcing: 'without' });
    const ar6 = await runToEnd(org, 'desnz-2025', 'AR6');
    const diff = async (a: RunRow, b: RunRow) => {
      const pg = await runDiffFromPostgres(t.db.pool, a, b, 'operational_control');
      expect(await runDiffFromAnalytics(ch, t.db.pool, org, a, b, 'operational_control')).toEqual(pg);
      return pg;
    };
    const same = await diff(first, again);
    expect(same.activities).toEqual({ total: 4, added: 0, removed: 0, changed: 0, unchanged: 4 });
    expect(same.totals.effects).toEqual(zero);
    const rf = await diff(first, noRf);
    expect(Number(rf.totals.change)).toBeLessThan(0);
    expect(rf.totals.effects).toEqual({ ...zero, method: rf.totals.change });
    expect(rf.lines.map((l) => [l.label?.lineNo, l.drivers.method])).toEqual([[2, ['radiative_forcing']]]);
    const gwp = await diff(first, ar6);
    expect(gwp.totals.change).not.toBe('0');
    expect(gwp.totals.effects).toEqual({ ...zero, method: gwp.totals.change });
  }, 120_000);

  it('records the base year, flags a restatement over the threshold and not one under it, and clears it once accepted', async () => {
    const org = await insert(`insert into organisations (name) values ('Trend') returning id`, []);
    const p = await insert(`insert into entities (org_id, code, name, kind, country) values ($1, 'P', 'Parent plc', 'legal_entity', 'GB') returning id`, [org]);
    const s1 = (await storeOrganisationFactorSet(t.db.pg, { orgId: org, series: 'reporting', factors: factors('2.5') })).id;
    const imp = await insert(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [org]);
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'], [
        [org, imp, 2, p, '2023-01-15', '2023-01-15', 'test/diesel', '100', 'litres'],
        [org, imp, 3, p, '2023-04-01', '2023-04-30', 'test/grid', '1000', 'kWh'],
        [org, imp, 4, p, '2024-01-15', '2024-01-15', 'test/diesel', '90', 'litres'],
        [org, imp, 5, p, '2024-04-01', '2024-04-30', 'test/grid', '900', 'kWh'],
      ]);
    } finally {
      c.release();
    }
    const base = await runToEnd(org, s1, 'AR5', 2023);
    await runToEnd(org, s1, 'AR5', 2024);
    await updateOrganisation(t.db.pool, org, { baseYear: 2023 });
    const recorded = await recordBaseYear(t.db.pool, org, { reason: 'base_year_set', by: 'test' });
    expect(recorded).toMatchObject({ baseYear: 2023, runId: base.id, scope1: '278', scope2LocationBased: '200', scope3: '0', co2eKg: '478', reason: 'base_year_set' });

    const trend = async () => {
      const pg = await organisationTrend(t.db.pool, org, (runId, approach) => runScopeFigures(t.db.pool, runId, approach));
      const fromCh = await organisationTrend(t.db.pool, org, (runId, approach) => runScopeFiguresFromAnalytics(ch, org, runId, approach));
      expect(fromCh).toEqual(pg);
      return pg!;
    };
    let tr = await trend();
    // 2024: 90 x 2.78 + 900 x 0.2 = 430.2, -47.8 (-10%) on 2023
    expect(tr.years.map((y) => [y.year, y.figures?.co2eKg])).toEqual([[2023, '478'], [2024, '430.2']]);
    expect(tr.years[1]!.vsPreviousYear!.co2eKg).toEqual({ change: '-47.8', pct: '-10' });
    expect(tr.years[1]!.vsBaseYear!.scope2LocationBased).toEqual({ change: '-20', pct: '-10' });
    expect(tr.restatement).toMatchObject({ baseYear: 2023, change: { change: '0', pct: '0' }, threshold: '0.05', exceedsThreshold: false });

    // a corrected base-year activity (100 -> 107 l): 497.46, +4.0711%: under 5%
    await t.db.pg.query(`update activities set quantity = 107 where org_id = $1 and line_no = 2`, [org]);
    const restated = await runToEnd(org, s1, 'AR5', 2023);
    tr = await trend();
    expect(tr.restatement).toMatchObject({ recorded: { runId: base.id, co2eKg: '478' }, current: { runId: restated.id, co2eKg: '497.46' }, change: { change: '19.46', pct: '4.0711' }, exceedsThreshold: false });
    // a new factor edition on top (diesel 2.88): 107 x 2.88 + 200 = 508.16, +6.3096%: over 5%
    const s2 = (await storeOrganisationFactorSet(t.db.pg, { orgId: org, series: 'reporting', factors: factors('2.6') })).id;
    const edition = await runToEnd(org, s2, 'AR5', 2023);
    tr = await trend();
    expect(tr.restatement).toMatchObject({ current: { runId: edition.id, co2eKg: '508.16' }, change: { change: '30.16', pct: '6.3096' }, exceedsThreshold: true });
    expect(tr.years[0]!.figures!.co2eKg).toBe('508.16');
    expect(tr.years[1]!.vsBaseYear!.co2eKg).toEqual({ change: '-47.8', pct: '-10' });
    // accepting the restatement records the new figure (the old one kept, superseded) and clears the flag
    await recordBaseYear(t.db.pool, org, { reason: 'restatement_accepted', by: 'auditor' });
    tr = await trend();
    expect(tr.restatement).toMatchObject({ recorded: { runId: edition.id, co2eKg: '508.16', reason: 'restatement_accepted', recordedBy: 'auditor' }, change: { change: '0', pct: '0' }, exceedsThreshold: false });
    // 430.2 - 508.16 = -77.96 = -15.3416% of the restated base year
    expect(tr.years[1]!.vsBaseYear!.co2eKg).toEqual({ change: '-77.96', pct: '-15.3416' });
    expect((await t.db.pg.query(`select count(*)::int as n, count(superseded_at)::int as superseded from base_year_records where org_id = $1`, [org])).rows[0]).toEqual({ n: 2, superseded: 1 });
  }, 60_000);
});
