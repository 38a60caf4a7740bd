import { createAnalyticsClient, migrateAnalytics, runInventoryReportFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { validateOrganisationFactors } from '@tally/core';
import { copyRows, inventoryReportCsv, loadMarketScope2Factors, runInventoryReport, storeFactorSet, storeGwpSets, storeOrganisationFactorSet, type CopyValue, type RunRow } from '@tally/db';
import { loadBundledFactorSet, loadBundledGwpSets } from '@tally/factor-data';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { runUntilFinished } from '../test/runs.ts';

/**
 * The inventory report from Postgres and from ClickHouse (chDB) for runs calculated by the real
 * worker: identical to the last digit under operational control and equity share, and a
 * hand-computed equity-share example (a parent and a 60%-owned subsidiary), and Scope 2 dual
 * reporting (location-based and market-based) on a hand-computed example.
 */
describe('inventory report: Postgres and ClickHouse agree', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let ch: ClickHouseClient;
  let handOrg: string;
  let handSet: string;
  let publishedOrg: string;

  const insert = async (q: string, v: unknown[]) => (await t.db.pg.query<{ id: string }>(q, v)).rows[0]!.id;

  beforeAll(async () => {
    await storeGwpSets(t.db.pg, await loadBundledGwpSets());
    const desnz = await loadBundledFactorSet('desnz-2025');
    await storeFactorSet(t.db.pg, { meta: desnz.meta, fileName: desnz.fileName, checksum: desnz.checksum, factors: desnz.result.factors, skipped: desnz.result.skipped });

    // Hand-computed organisation: its own factors only, exact numbers.
    handOrg = await insert(`insert into organisations (name, consolidation_approach) values ('Hand', 'equity_share') returning id`, []);
    const p = await insert(`insert into entities (org_id, code, name, kind, country) values ($1, 'P', 'Parent plc', 'legal_entity', 'GB') returning id`, [handOrg]);
    const s = await insert(`insert into entities (org_id, parent_id, code, name, kind, country, ownership_pct) values ($1, $2, 'S', 'Filiale SA', 'legal_entity', 'FR', 60) returning id`, [handOrg, p]);
    const own = validateOrganisationFactors(
      [
        { key: 'test/diesel', name: 'Diesel', unit: 'litres', gases: { CO2: '2.5' }, scope: 1, category: '1 Stationary combustion', region: 'GB', year: 2024 },
        { key: 'test/grid', name: 'Grid FR', unit: 'kWh', gases: { CO2: '0.2' }, scope: 2, category: '2 Purchased electricity', region: 'FR', year: 2022 },
        { key: 'test/spend', name: 'Goods per USD', unit: 'USD', gases: { CO2: '0.5' }, scope: 3, category: '3.1 Purchased goods and services', year: 2019 },
        { key: 'test/steel', name: 'Acme coil (EPD)', unit: 'tonne', gases: { CO2: '1000' }, scope: 3, category: '3.1 Purchased goods and services', year: 2024, kind: 'supplier_specific', supplier: 'Acme' },
      ],
      { gwpSetIds: ['AR4', 'AR5', 'AR6'] },
    );
    if (!own.ok) throw new Error(JSON.stringify(own.errors));
    handSet = (await storeOrganisationFactorSet(t.db.pg, { orgId: handOrg, series: 'reporting', factors: own.factors })).id;
    const imp = await insert(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [handOrg]);

    // Published factors: DESNZ 2025 fuels, a flight, a hotel abroad, a site abroad (GB factors standing in).
    publishedOrg = await insert(`insert into organisations (name) values ('Published') returning id`, []);
    const gb = await insert(`insert into entities (org_id, code, name, kind, country) values ($1, 'GB1', 'UK Ltd', 'legal_entity', 'GB') returning id`, [publishedOrg]);
    const site = await insert(`insert into entities (org_id, parent_id, code, name, kind, country) values ($1, $2, 'GB1-MAN', 'Manchester', 'site', 'GB') returning id`, [publishedOrg, gb]);
    const ie = await insert(`insert into entities (org_id, parent_id, code, name, kind, country, ownership_pct) values ($1, $2, 'IE1', 'Ireland Ltd', 'legal_entity', 'IE', 33.3333) returning id`, [publishedOrg, gb]);
    const imp2 = await insert(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [publishedOrg]);

    const c = await t.db.pg.connect();
    try {
      const cols = ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'supplier', 'attributes'];
      await copyRows(c, 'activities', cols, [
        [handOrg, imp, 2, p, '2024-01-15', '2024-01-15', 'test/diesel', '100', 'litres', null, null],
        [handOrg, imp, 3, s, '2024-02-10', '2024-02-10', 'test/diesel', '40', 'litres', null, null],
        [handOrg, imp, 4, s, '2024-02-01', '2024-02-29', 'test/grid', '1000', 'kWh', null, null],
        [handOrg, imp, 5, p, '2024-03-05', '2024-03-05', 'test/spend', '1000', 'USD', null, null],
        [handOrg, imp, 6, s, '2024-03-20', '2024-03-20', 'test/steel', '2', 'tonne', 'Acme', null],
        [handOrg, imp, 7, p, '2024-04-01', '2024-04-01', 'unknown/key', '10', 'kg', null, null],
        [handOrg, imp, 8, s, '2024-04-02', '2024-04-02', 'unknown/spend', '250', 'USD', null, null],
      ]);
      const rows: CopyValue[][] = [];
      for (let i = 0; i < 600; i++) {
        const month = String((i % 12) + 1).padStart(2, '0');
        const entity = [gb, site, ie][i % 3];
        const line = i + 2;
        if (i % 7 === 0) rows.push([publishedOrg, imp2, line, entity, `2024-${month}-03`, `2024-${month}-03`, 'air-travel', String(500 + i * 37), 'km', null, { origin: 'GB', destination: i % 2 ? 'US' : 'FR', trips: 1, cabin_class: 'economy' }]);
        else if (i % 7 === 1) rows.push([publishedOrg, imp2, line, entity, `2024-${month}-05`, `2024-${month}-06`, 'hotel-stay/hotel-stay', String((i % 5) + 1), 'room nights', null, { location: ['AU', 'FR', 'GB'][i % 3] }]);
        else if (i % 7 === 2) rows.push([publishedOrg, imp2, line, entity, `2024-${month}-10`, `2024-${month}-10`, 'no/such-key', '1', 'kg', null, null]);
        else rows.push([publishedOrg, imp2, line, entity, `2024-${month}-15`, `2024-${month}-15`, 'fuels/liquid-fuels/diesel-average-biofuel-blend', `${i}.${String(i * 7919).padStart(6, '0')}`, 'litres', null, null]);
      }
      await copyRows(c, 'activities', cols, rows);
    } finally {
      c.release();
    }
    ch = await createAnalyticsClient({ path: ':memory:' });
    await migrateAnalytics(ch);
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 2, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true, analytics: ch });
  });
  afterAll(async () => {
    await worker?.stop();
    await ch?.close();
  });

  async function runToEnd(orgId: string, factorSetIds: string[], chunkSize = 100): Promise<RunRow> {
    return runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: factorSetIds[0]!, factorSetIds, gwpSetId: 'AR5', chunkSize });
  }

  it('matches the hand-computed equity-share report (parent 100%, subsidiary 60% owned), from both stores', async () => {
    const run = await runToEnd(handOrg, [handSet, 'desnz-2025']);
    expect(run.status).toBe('complete');
    const pg = await runInventoryReport(t.db.pool, run.id, 'equity_share');
    const market = await loadMarketScope2Factors(t.db.pool, run.id);
    expect(await runInventoryReportFromAnalytics(ch, handOrg, run.id, 'equity_share', market)).toEqual(pg);
    // P: diesel 100 l x 2.5 = 250, spend 1000 USD x 0.5 = 500; S (60%): diesel 40 x 2.5 x 0.6 = 60, grid 1000 x 0.2 x 0.6 = 120, steel 2 x 1000 x 0.6 = 1200
    expect(pg.scope1).toEqual({ co2eKg: '310', activities: 2 });
    expect(pg.scope2.locationBased).toEqual({ co2eKg: '120', activities: 1 });
    // no contractual instruments, no residual mix: market-based is the location-based figure, disclosed as a fallback
    expect(pg.scope2.marketBased).toMatchObject({ co2eKg: '120', consumptionKWh: '600', coveredKWh: '0', residualKWh: '0', fallbackToLocationKWh: '600', unusedCertificatesMWh: '0' });
    expect(pg.scope3).toMatchObject({ co2eKg: '1700', categories: [{ category: '3.1 Purchased goods and services', co2eKg: '1700', activities: 2 }] });
    expect(pg.totals).toEqual({ co2eKg: '2130', scope2Method: 'location_based', co2eKgMarketBased: '2130', gases: [{ gas: 'CO2', kg: '2130' }], activities: { total: 7, calculated: 5, unmatched: 2, failed: 0 } });
    expect(pg.consolidation.approach).toBe('equity_share');
    expect(pg.breakdowns.entity).toEqual([
      { key: 'P', scope: 1, co2eKg: '310', activities: 2 },
      { key: 'P', scope: 2, co2eKg: '120', activities: 1 },
      { key: 'P', scope: 3, co2eKg: '1700', activities: 2 },
      { key: 'S', scope: 1, co2eKg: '60', activities: 1 },
      { key: 'S', scope: 2, co2eKg: '120', activities: 1 },
      { key: 'S', scope: 3, co2eKg: '1200', activities: 1 },
    ]);
    expect(pg.breakdowns.country).toEqual([
      { key: 'FR', scope: 1, co2eKg: '60', activities: 1 },
      { key: 'FR', scope: 2, co2eKg: '120', activities: 1 },
      { key: 'FR', scope: 3, co2eKg: '1200', activities: 1 },
      { key: 'GB', scope: 1, co2eKg: '250', activities: 1 },
      { key: 'GB', scope: 3, co2eKg: '500', activities: 1 },
    ]);
    expect(pg.breakdowns.month.map((l) => [l.key, l.scope, l.co2eKg])).toEqual([['2024-01', 1, '250'], ['2024-02', 1, '60'], ['2024-02', 2, '120'], ['2024-03', 3, '1700']]);
    expect(pg.breakdowns.calculation_method.map((l) => [l.key, l.scope, l.co2eKg])).toEqual([['activity_based', 1, '310'], ['activity_based', 2, '120'], ['spend_based', 3, '500'], ['supplier_specific', 3, '1200']]);
    expect(pg.breakdowns.match_method).toEqual([
      { key: 'direct', scope: 1, co2eKg: '310', activities: 2 },
      { key: 'direct', scope: 2, co2eKg: '120', activities: 1 },
      { key: 'direct', scope: 3, co2eKg: '1700', activities: 2 },
    ]);
    expect(pg.breakdowns.factor_source.map((l) => l.scope)).toEqual([1, 2, 3]);
    expect(pg.dataQuality.byCalculationMethod).toEqual([
      { method: 'supplier_specific', co2eKg: '1200', activities: 1, share: '0.56338' },
      { method: 'activity_based', co2eKg: '430', activities: 3, share: '0.201878' },
      { method: 'spend_based', co2eKg: '500', activities: 1, share: '0.234742' },
    ]);
    expect(pg.dataQuality.notCalculated).toEqual({
      activities: 2,
      share: '0.285714',
      byReason: [{ status: 'unmatched', reason: 'NO_MATCH', activities: 2 }],
      spend: [{ currency: 'USD', amount: '250', total: '1250', share: '0.2' }],
    });
    // technological (250x2 + 60x2 + 120x2 + 500x4 + 1200x1) / 2130 = 4060/2130; geographical (250x1 + 60x4 [GB factor, French site] + 120x1 + 500x3 [global] + 1200x2 [supplier, no region]) = 4510/2130;
    // temporal (250x1 + 60x1 + 120x2 [2022 factor] + 500x3 [2019] + 1200x1) = 3250/2130
    expect(pg.dataQuality.rating).toMatchObject({ technological: '1.91', geographical: '2.12', temporal: '1.53', overall: '1.85', co2eKg: '2130' });

    const op = await runInventoryReport(t.db.pool, run.id, 'operational_control');
    expect(await runInventoryReportFromAnalytics(ch, handOrg, run.id, 'operational_control', market)).toEqual(op);
    expect([op.scope1.co2eKg, op.scope2.locationBased.co2eKg, op.scope3.co2eKg, op.totals.co2eKg]).toEqual(['350', '200', '2500', '3050']);
    expect(inventoryReportCsv(pg).split('\r\n').slice(0, 3)).toEqual(['breakdown,key,scope,co2e_kg,activities,kwh', 'entity,P,1,310,2,', 'entity,P,2,120,1,']);
  });

  it('agrees to the last digit on published factors, flights, hotels abroad and unmatched rows, under both approaches', async () => {
    const run = await runToEnd(publishedOrg, ['desnz-2025'], 64);
    expect(run.status).toBe('complete');
    for (const approach of ['operational_control', 'equity_share']) {
      const pg = await runInventoryReport(t.db.pool, run.id, approach);
      expect(await runInventoryReportFromAnalytics(ch, publishedOrg, run.id, approach, await loadMarketScope2Factors(t.db.pool, run.id)), approach).toEqual(pg);
      expect(pg.totals.activities).toMatchObject({ total: 600, unmatched: 86 });
      expect(pg.breakdowns.factor_source.every((l) => l.key === 'DESNZ 2025' || l.key.startsWith('DESNZ'))).toBe(true);
      expect(pg.breakdowns.month.length).toBeGreaterThanOrEqual(12);
      // the parent's roll-up is the whole inventory in each scope
      const root = pg.breakdowns.entity.filter((l) => l.key === 'GB1' && l.scope !== null).reduce((s, l) => s + Number(l.co2eKg), 0);
      expect(root).toBeCloseTo(Number(pg.totals.co2eKg), 6);
      expect(Number(pg.dataQuality.rating.geographical)).toBeGreaterThan(1);
    }
  });

  it('reports Scope 2 both ways on a hand-computed example: supplier factor, certificates up to their MWh, residual mix, location fallback', async () => {
    const org = await insert(`insert into organisations (name, consolidation_approach) values ('Dual', 'equity_share') returning id`, []);
    const p = await insert(`insert into entities (org_id, code, name, kind, country) values ($1, 'P', 'Parent plc', 'legal_entity', 'GB') returning id`, [org]);
    const s = await insert(`insert into entities (org_id, parent_id, code, name, kind, country, ownership_pct) values ($1, $2, 'S', 'Sub Ltd', 'legal_entity', 'GB', 60) returning id`, [org, p]);
    const d = await insert(`insert into entities (org_id, parent_id, code, name, kind, country) values ($1, $2, 'D', 'Werk GmbH', 'site', 'DE') returning id`, [org, p]);
    const elec = { scope: 2, category: '2 Purchased electricity', year: 2024, gwpBasis: 'AR5' };
    const validity = { validFrom: '2024-01-01', validTo: '2024-12-31' };
    const own = validateOrganisationFactors(
      [
        { key: 'test/grid', name: 'Grid GB', unit: 'kWh', co2e: '0.2', region: 'GB', ...elec },
        { key: 'test/grid', name: 'Grid DE', unit: 'kWh', co2e: '0.4', region: 'DE', ...elec },
        { key: 'test/diesel', name: 'Diesel', unit: 'litres', gases: { CO2: '2.5' }, scope: 1, category: '1 Stationary combustion', region: 'GB', year: 2024 },
        { key: 'market/ecotricity', name: 'Ecotricity fuel mix', unit: 'kWh', co2e: '0.05', region: 'GB', kind: 'supplier_specific', supplier: 'Ecotricity', ...elec },
        { key: 'market/rego', name: 'REGOs 2024', unit: 'kWh', co2e: '0', region: 'GB', kind: 'contractual_instrument', instrument: { type: 'EAC', trackingSystem: 'REGO', volumeMWh: '5', ...validity }, ...elec },
        { key: 'market/go', name: 'French GOs', unit: 'kWh', co2e: '0', region: 'FR', kind: 'contractual_instrument', instrument: { type: 'EAC', trackingSystem: 'GO', volumeMWh: '2', ...validity }, ...elec },
        { key: 'market/residual', name: 'GB residual mix 2024', unit: 'MWh', co2e: '350', region: 'GB', kind: 'residual_mix', ...elec },
      ],
      { gwpSetIds: ['AR4', 'AR5', 'AR6'] },
    );
    if (!own.ok) throw new Error(JSON.stringify(own.errors));
    const set = (await storeOrganisationFactorSet(t.db.pg, { orgId: org, series: 'scope2', factors: own.factors })).id;
    const imp = await insert(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [org]);
    const c = await t.db.pg.connect();
    try {
      await copyRows(c, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'supplier'], [
        [org, imp, 2, p, '2024-01-01', '2024-01-31', 'test/grid', '3000', 'kWh', 'Ecotricity'],
        [org, imp, 3, p, '2024-02-01', '2024-02-29', 'test/grid', '4', 'MWh', 'British Gas'],
        [org, imp, 4, s, '2024-03-01', '2024-03-31', 'test/grid', '2500', 'kWh', null],
        [org, imp, 5, d, '2024-04-01', '2024-04-30', 'test/grid', '1000', 'kWh', null],
        [org, imp, 6, p, '2024-05-02', '2024-05-02', 'test/diesel', '100', 'litres', null],
      ]);
    } finally {
      c.release();
    }
    const run = await runToEnd(org, [set]);
    expect(run.status).toBe('complete');
    const market = await loadMarketScope2Factors(t.db.pool, run.id);
    const pg = await runInventoryReport(t.db.pool, run.id, 'equity_share');
    expect(await runInventoryReportFromAnalytics(ch, org, run.id, 'equity_share', market)).toEqual(pg);

    // location-based: P 3000 x 0.2 + 4000 x 0.2 = 1400; S 2500 x 0.2 x 60% = 300; D 1000 x 0.4 = 400 → 2100
    expect(pg.scope2.locationBased).toEqual({ co2eKg: '2100', activities: 4 });
    // market-based, allocated at 100% per entity then weighted:
    //   P January (Ecotricity): its supplier factor, 3000 x 0.05 = 150
    //   P February (4 MWh): the REGOs, 4000 of their 5000 kWh, at 0
    //   S March 2500 kWh: the last 1000 REGO kWh at 0; 1500 at the residual mix 0.35/kWh = 525, x 60% = 315
    //   D April (DE, no residual mix): the location-based 400, disclosed as a fallback
    //   the French GOs match no consumption: 2 MWh unused
    const mb = pg.scope2.marketBased;
    expect(mb).toMatchObject({
      co2eKg: '865', activities: 4, consumptionKWh: '9500', supplierSpecificKWh: '3000', coveredKWh: '4600', residualKWh: '900', fallbackToLocationKWh: '1000',
      unusedCertificatesMWh: '2', notInEnergyUnits: { co2eKg: '0', activities: 0 }, ignoredFactors: [],
    });
    expect(mb.byInstrument).toEqual([
      { kind: 'supplier_specific', factorId: `${set}:3`, name: 'Ecotricity fuel mix', region: 'GB', kWh: '3000', co2eKg: '150' },
      { kind: 'contractual_instrument', factorId: `${set}:4`, name: 'REGOs 2024', region: 'GB', instrumentType: 'EAC', trackingSystem: 'REGO', kWh: '4600', co2eKg: '0', volumeMWh: '5', usedMWh: '5', unusedMWh: '0' },
      { kind: 'contractual_instrument', factorId: `${set}:5`, name: 'French GOs', region: 'FR', instrumentType: 'EAC', trackingSystem: 'GO', kWh: '0', co2eKg: '0', volumeMWh: '2', usedMWh: '0', unusedMWh: '2' },
      { kind: 'residual_mix', factorId: `${set}:6`, name: 'GB residual mix 2024', region: 'GB', kWh: '900', co2eKg: '315' },
      { kind: 'location_fallback', factorId: null, name: 'location-based grid average, DE (no residual mix)', region: 'DE', kWh: '1000', co2eKg: '400' },
    ]);
    // diesel 100 x 2.5 = 250: both totals, labelled
    expect(pg.totals).toMatchObject({ co2eKg: '2350', scope2Method: 'location_based', co2eKgMarketBased: '1115' });
    const csv = inventoryReportCsv(pg).trimEnd().split('\r\n');
    expect(csv).toEqual(expect.arrayContaining([
      'scope2,location_based,2,2100,4,',
      'scope2,market_based,2,865,4,9500',
      `scope2_market_based,contractual_instrument:${set}:4,2,0,,4600`,
      `scope2_market_based,unused_certificates:${set}:5,2,0,,2000`,
      'scope2_market_based,location_fallback:DE,2,400,,1000',
      'total,location_based,,2350,5,',
      'total,market_based,,1115,5,',
    ]));

    // operational control: every entity in full; the same allocation: 150 + 0 + 525 + 400
    const op = await runInventoryReport(t.db.pool, run.id, 'operational_control');
    expect(await runInventoryReportFromAnalytics(ch, org, run.id, 'operational_control', market)).toEqual(op);
    expect([op.scope2.locationBased.co2eKg, op.scope2.marketBased.co2eKg, op.scope2.marketBased.coveredKWh, op.totals.co2eKg, op.totals.co2eKgMarketBased]).toEqual(['2300', '1075', '5000', '2550', '1325']);
  });
});
