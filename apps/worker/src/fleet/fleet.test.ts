import { cancelRun, createRun, discardDeadLetter, findRun, latestCompleteRun, listDeadLetters, retryDeadLetter } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { seedActivities, seedReference } from '../test/seed.ts';
import { waitFor, waitForRun } from '../test/runs.ts';

type T = ReturnType<typeof useTestDatabase>;

const env = (t: T, extra: Record<string, number> = {}) => ({
  DATABASE_URL: t.url,
  METRICS_PORT: 0,
  METRICS_HOST: '127.0.0.1',
  WORKER_CONCURRENCY: 3,
  CALC_THREADS: 2,
  LOG_LEVEL: (process.env.TEST_WORKER_LOG ?? 'silent') as 'silent',
  ...extra,
});

const newRun = (t: T, orgId: string, chunkSize: number) =>
  createRun(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'test-2025', gwpSetId: 'AR5', chunkSize });

/** Rows of a run: count, distinct activities, exact total. */
const resultStats = async (t: T, runId: string) =>
  (await t.db.pg.query<{ n: number; d: number; s: string | null }>(`select count(*)::int as n, count(distinct activity_id)::int as d, sum(co2e_kg)::text as s from calculation_results where run_id = $1`, [runId])).rows[0]!;

describe('the recalculation fleet: dead letters, cancellation, fairness, several workers', () => {
  const t = useTestDatabase();
  const workers: WorkerHandle[] = [];

  beforeAll(async () => {
    await seedReference(t.db);
    // A factor whose stored gas value is not a number: preparing it throws a plain Error (not a
    // CoreError), exactly as corrupt reference data would.
    await t.db.pg.query(
      `insert into emission_factors (id, factor_set_id, activity_key, name, scope, category, region, year, unit, co2e, gas_basis, gwp_basis, gases, source_ref, source_rows)
       values ('test-2025:poison', 'test-2025', 'poison-fuel', 'poison', 1, '1 Stationary combustion', 'GB', 2025, 'kg', 1, 'co2e', 'AR5', '{"CO2": "n/a"}', 'poison', '[]')`,
    );
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
  });

  it('parks a poisoned chunk with its error without blocking the others; retry after a fix completes the run, discard fails it', async () => {
    // 1,000 rows in chunks of 100; row 250 (chunk 2) names the poisoned factor.
    const { orgId } = await seedActivities(t.db, 1_000, (i) => (i === 250 ? 'poison-fuel' : i % 3 === 0 ? 'electricity' : 'diesel'));
    const w = await startWorker(env(t), { noHandleSignals: true });
    workers.push(w);
    const run = await newRun(t, orgId, 100);
    const parked = await waitFor('a parked chunk and every other chunk done', async () => {
      const r = await findRun(t.db.pool, run.id);
      const letters = await listDeadLetters(t.db.pool, { runId: run.id, status: 'parked' });
      return r && letters.length === 1 && r.chunksDone === 9 ? { r, letters } : undefined;
    });
    expect(parked.r.status).toBe('running');
    expect(parked.letters[0]).toMatchObject({ chunkNo: 2, task: 'calculate_chunk', status: 'parked', attempts: 1, payload: { runId: run.id, chunkNo: 2 } });
    expect(parked.letters[0]!.error).toMatch(/calculation failed: .*Invalid number/);
    // The job completed: nothing of this run is left in the queue (completions are batched, so wait for it).
    await waitFor('the parked chunk job to complete', async () => {
      const jobs = await t.db.pg.query(`select count(*)::int as n from graphile_worker.jobs where key like $1`, [`chunk:${run.id}:%`]);
      return jobs.rows[0].n === 0;
    }, 10_000);
    // Still running a while later: a parked chunk never lets the run complete.
    await new Promise((r) => setTimeout(r, 500));
    expect((await findRun(t.db.pool, run.id))?.status).toBe('running');
    expect(await latestCompleteRun(t.db.pool, orgId, '2024-01-01', '2024-12-31')).toBeNull();

    await w.fleet.tick();
    const metrics = await (await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^tally_dead_letters_parked\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^tally_chunks_total\{outcome="parked"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^tally_chunks_total\{outcome="done"[^}]*\} 9$/m);
    expect(metrics).toMatch(new RegExp(`^tally_run_chunks_parked\\{run_id="${run.id}"[^}]*\\} 1$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^tally_run_progress_ratio\\{run_id="${run.id}"[^}]*\\} 0\\.9$`, 'm'));

    // A second run of the same data parks the same chunk; the operator discards it: run failed.
    const run2 = await newRun(t, orgId, 100);
    const letter2 = await waitFor('the second run to park', async () => (await listDeadLetters(t.db.pool, { runId: run2.id, status: 'parked' }))[0]);
    const discarded = await discardDeadLetter(t.db.pg, t.db.pool, letter2.id, 'operator');
    expect(discarded).toMatchObject({ status: 'ok', letter: { status: 'discarded', resolvedBy: 'operator' } });
    const failed = await waitForRun(t.db.pool, run2.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^chunk 2 discarded by operator after it failed: calculation failed/);
    expect(await latestCompleteRun(t.db.pool, orgId, '2024-01-01', '2024-12-31')).toBeNull();

    // Fix the data, retry the first run's letter: the run completes with every row exactly once.
    await t.db.pg.query(`update emission_factors set gases = '{"CO2": "1"}' where id = 'test-2025:poison'`);
    const retried = await retryDeadLetter(t.db.pg, t.db.pool, parked.letters[0]!.id, 'operator');
    expect(retried).toMatchObject({ status: 'ok', letter: { status: 'retried', redrives: 1 } });
    expect(await retryDeadLetter(t.db.pg, t.db.pool, parked.letters[0]!.id, 'operator')).toMatchObject({ status: 'conflict' });
    const done = await waitForRun(t.db.pool, run.id);
    expect(done).toMatchObject({ status: 'complete', chunksDone: 10, rowsDone: '1000' });
    expect(await resultStats(t, run.id)).toMatchObject({ n: 1000, d: 1000 });
    expect((await latestCompleteRun(t.db.pool, orgId, '2024-01-01', '2024-12-31'))?.id).toBe(run.id);
    await w.stop();
  });

  it('cancels a running run at once: pending chunks removed, nothing written afterwards, never complete', async () => {
    const { orgId } = await seedActivities(t.db, 6_000);
    const w = await startWorker(env(t, { WORKER_CONCURRENCY: 2 }), { noHandleSignals: true });
    workers.push(w);
    const run = await newRun(t, orgId, 100);
    await waitFor('some chunks done', async () => ((await findRun(t.db.pool, run.id))?.chunksDone ?? 0) >= 3);
    const outcome = await cancelRun(t.db.pg, run.id, 'operator');
    expect(outcome.status).toBe('cancelled');
    const atCancel = await findRun(t.db.pool, run.id);
    expect(atCancel?.status).toBe('cancelled');
    const rowsAtCancel = await resultStats(t, run.id);
    expect(String(rowsAtCancel.n)).toBe(atCancel?.rowsDone);
    expect(atCancel!.chunksDone).toBeLessThan(60);
    // Chunks in flight stop at their checkpoint; no pending job of the run remains.
    await waitFor('the queue to drain', async () => (await t.db.pg.query(`select count(*)::int as n from graphile_worker.jobs where key like $1 or locked_at is not null`, [`chunk:${run.id}:%`])).rows[0].n === 0);
    await new Promise((r) => setTimeout(r, 700));
    const after = await findRun(t.db.pool, run.id);
    expect(after).toMatchObject({ status: 'cancelled', chunksDone: atCancel!.chunksDone, rowsDone: atCancel!.rowsDone });
    expect(await resultStats(t, run.id)).toEqual(rowsAtCancel);
    expect(await cancelRun(t.db.pg, run.id, 'operator')).toEqual({ status: 'conflict', runStatus: 'cancelled' });
    expect(await latestCompleteRun(t.db.pool, orgId, '2024-01-01', '2024-12-31')).toBeNull();
    const locked = await t.db.pg.query(`select count(*)::int as n from graphile_worker.jobs where locked_at is not null`);
    expect(locked.rows[0].n).toBe(0);
    await w.stop();
  });

  it('two workers on one run calculate every activity exactly once', async () => {
    const N = 8_000;
    const { orgId } = await seedActivities(t.db, N);
    const a = await startWorker(env(t, { WORKER_CONCURRENCY: 2 }), { noHandleSignals: true });
    const b = await startWorker(env(t, { WORKER_CONCURRENCY: 2 }), { noHandleSignals: true });
    workers.push(a, b);
    const run = await newRun(t, orgId, 200);
    const done = await waitForRun(t.db.pool, run.id);
    expect(done).toMatchObject({ status: 'complete', chunksTotal: 40, chunksDone: 40, rowsDone: String(N) });
    expect(await resultStats(t, run.id)).toMatchObject({ n: N, d: N });
    // Sum every series of the counter; a chunk's metric is counted just after its commit, so wait for the last.
    const chunksOf = async (w: WorkerHandle) =>
      [...(await (await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`)).text()).matchAll(/^tally_chunks_total\{[^}]*outcome="done"[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
    const [na, nb] = await waitFor('both workers to count their chunks', async () => {
      const counts: [number, number] = [await chunksOf(a), await chunksOf(b)];
      return counts[0] + counts[1] >= 40 ? counts : undefined;
    }, 10_000);
    expect(na + nb).toBe(40);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    // Both processes registered a heartbeat under the pool id their jobs are locked by.
    const beats = await t.db.pg.query<{ worker_id: string; n: number }>(`select worker_id, cardinality(worker_ids) as n from worker_heartbeats order by worker_id`);
    expect(beats.rows.map((r) => r.worker_id).sort()).toEqual([a.fleet.poolId, b.fleet.poolId].sort());
    expect(beats.rows.every((r) => r.n === 2)).toBe(true);
    await a.stop();
    await b.stop();
    expect((await t.db.pg.query(`select count(*)::int as n from worker_heartbeats`)).rows[0].n).toBe(0);
  });

  it("keeps one organisation's big run from starving another's small one", async () => {
    // Big enough that it cannot finish while the small run waits its turn (a chunk of 50 takes milliseconds).
    const big = await seedActivities(t.db, 30_000);
    const small = await seedActivities(t.db, 50);
    const w = await startWorker(env(t, { WORKER_CONCURRENCY: 3, ORG_MAX_CONCURRENT_CHUNKS: 1 }), { noHandleSignals: true });
    workers.push(w);
    const a = await newRun(t, big.orgId, 50);
    await waitFor("A's chunks running", async () => ((await findRun(t.db.pool, a.id))?.chunksDone ?? 0) >= 3);
    const b = await newRun(t, small.orgId, 100);
    const bDone = await waitForRun(t.db.pool, b.id);
    const aAtB = await findRun(t.db.pool, a.id);
    expect(bDone.status).toBe('complete');
    expect(aAtB?.status).toBe('running');
    expect(aAtB!.chunksDone).toBeLessThan(aAtB!.chunksTotal!);
    expect(await waitForRun(t.db.pool, a.id)).toMatchObject({ status: 'complete', chunksDone: 600 });
    await w.stop();
  });
});
