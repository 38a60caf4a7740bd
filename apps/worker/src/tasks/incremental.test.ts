import { newlyAheadSets, runInventory, storeFactorSet } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { FACTORS, seedActivities, seedReference } from '../test/seed.ts';
import { runUntilFinished } from '../test/runs.ts';

type T = ReturnType<typeof useTestDatabase>;

/** Every result row of a run: what "the same results" means, row for row. */
const resultRows = async (t: T, runId: string) =>
  (await t.db.pg.query(`select activity_id, status, factor_id, factor_set_id, unit_multiplier, gwp_set_id, co2e_kg, gas_kg from calculation_results where run_id = $1 order by activity_id`, [runId])).rows;

describe('newlyAheadSets', () => {
  it('names, for each set both lists use, the sets newly ranked before it', () => {
    expect(newlyAheadSets(['a', 'b'], ['a', 'b'])).toEqual([]);
    expect(newlyAheadSets(['a', 'b'], ['x', 'a', 'b'])).toEqual([
      { s: 'a', t: 'x' },
      { s: 'b', t: 'x' },
    ]);
    expect(newlyAheadSets(['a', 'b'], ['b', 'a'])).toEqual([{ s: 'a', t: 'b' }]);
    // A set the base run does not use is never "carried": no pair for it.
    expect(newlyAheadSets(['a'], ['b'])).toEqual([]);
  });
});

describe('incremental recalculation', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let orgId: string;
  let importId: string;
  let entityId: string;
  const N = 3_000;

  beforeAll(async () => {
    await seedReference(t.db);
    // A later edition that only restates diesel: the same key, another value.
    await storeFactorSet(t.db.pg, {
      meta: { id: 'test-2025b', source: 'test', edition: '2025b', publicationYear: 2025, licence: 'OGL-3.0', region: 'GB', gwpBasis: 'AR5' },
      fileName: 'test-b.csv',
      checksum: 'test-checksum-b',
      factors: [{ ...FACTORS[0]!, id: 'test-2025b:diesel', factorSetId: 'test-2025b', co2e: '2.6', gases: { CO2: '2.56', CH4: '0.0003', N2O: '0.0333' } }],
      skipped: [],
    });
    const seeded = await seedActivities(t.db, N);
    orgId = seeded.orgId;
    entityId = seeded.entityIds[0]!;
    importId = (await t.db.pg.query<{ id: string }>(`select id from activity_imports where org_id = $1`, [orgId])).rows[0]!.id;
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 2, CALC_THREADS: 2, LOG_LEVEL: 'silent' }, { noHandleSignals: true });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  const run = async (input: { factorSetIds?: string[]; gwpSetId?: string; baseRunId?: string }) =>
    runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: input.factorSetIds?.[0] ?? 'test-2025', factorSetIds: input.factorSetIds, gwpSetId: input.gwpSetId ?? 'AR5', chunkSize: 500, baseRunId: input.baseRunId });

  it('carries unchanged results forward, recalculates new activities and those whose factor changed, and equals a full run', async () => {
    const base = await run({});
    expect(base.status).toBe('complete');

    // Nothing changed: everything is carried, nothing calculated, and the run still completes.
    const same = await run({ baseRunId: base.id });
    expect(same).toMatchObject({ status: 'complete', baseRunId: base.id, chunksTotal: 0, incremental: { mode: 'incremental', carried: N, recalculated: 0, reasons: {} } });
    expect(await resultRows(t, same.id)).toEqual(await resultRows(t, base.id));

    // Ten activities imported since, and a new edition ranked first that restates diesel.
    await t.db.pg.query(
      `insert into activities (org_id, import_id, line_no, entity_id, period_start, period_end, activity_type, quantity, unit)
       select $1, $2, 100000 + g, $3, '2024-06-01', '2024-06-01', 'electricity', g * 10, 'kWh' from generate_series(1, 10) g`,
      [orgId, importId, entityId],
    );
    const sets = ['test-2025b', 'test-2025'];
    const incremental = await run({ factorSetIds: sets, baseRunId: base.id });
    const full = await run({ factorSetIds: sets });
    expect(incremental.status).toBe('complete');
    const diesel = (await t.db.pg.query<{ n: number }>(`select count(*)::int as n from activities where org_id = $1 and activity_type = 'diesel'`, [orgId])).rows[0]!.n;
    expect(incremental.incremental).toEqual({
      baseRunId: base.id,
      mode: 'incremental',
      fullReason: null,
      carried: N - diesel,
      recalculated: diesel + 10,
      reasons: { new_activity: 10, factor_sets_changed: diesel },
    });
    expect(incremental.rowsTotal).toBe(String(diesel + 10));
    // Exactly what a full run gives, row for row and in the inventory.
    expect(await resultRows(t, incremental.id)).toEqual(await resultRows(t, full.id));
    const { runId: _a, ...inc } = await runInventory(t.db.pool, incremental.id, 'operational_control');
    const { runId: _b, ...fullInventory } = await runInventory(t.db.pool, full.id, 'operational_control');
    expect(inc).toEqual(fullInventory);
    expect(inc.totals.activities).toBe(N + 10);

    // The results say which rows were carried and why the others were calculated again.
    const why = (await t.db.pg.query<{ carried: boolean; reason: string | null; n: number }>(
      `select r.chunk_no = -1 as carried, ch.reason, count(*)::int as n from calculation_results r
       left join calculation_run_changes ch on ch.run_id = r.run_id and ch.activity_id = r.activity_id
       where r.run_id = $1 group by 1, 2 order by 1, 2`,
      [incremental.id],
    )).rows;
    expect(why).toEqual([
      { carried: false, reason: 'factor_sets_changed', n: diesel },
      { carried: false, reason: 'new_activity', n: 10 },
      { carried: true, reason: null, n: N - diesel },
    ]);
  });

  it('recalculates everything when the GWP set changes, and refuses a base run of another period', async () => {
    const base = await run({});
    const ar6 = await run({ gwpSetId: 'AR6', baseRunId: base.id });
    expect(ar6).toMatchObject({ status: 'complete', incremental: { mode: 'full', fullReason: 'GWP set changed (AR5 to AR6)', carried: 0 } });
    expect(ar6.rowsTotal).toBe(ar6.rowsDone);
    const full = await run({ gwpSetId: 'AR6' });
    expect(await resultRows(t, ar6.id)).toEqual(await resultRows(t, full.id));

    const other = await runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-06-30', factorSetId: 'test-2025', gwpSetId: 'AR5', chunkSize: 500, baseRunId: base.id });
    expect(other.status).toBe('failed');
    expect(other.error).toMatch(/incremental recalculation: base run .* covers 2024-01-01\/2024-12-31, not 2024-01-01\/2024-06-30/);
  });
});
