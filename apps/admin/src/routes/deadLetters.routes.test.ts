import { createRun, parkChunk, planRun, storeFactorSet, storeGwpSets } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe('dead letters and cancellation through the API', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let a: { orgId: string; key: string };
  let b: { orgId: string; key: string };

  beforeAll(async () => {
    app = await startTestApp(t.db);
    a = await seedOrganisation(app, 'Parker');
    b = await seedOrganisation(app, 'Bystander');
    await storeGwpSets(t.db.pg, [{ id: 'AR5', name: 'AR5', horizonYears: 100, source: 'IPCC AR5', values: { CH4: '28', N2O: '265' } }]);
    await storeFactorSet(t.db.pg, {
      meta: { id: 'dl-2025', source: 'test', edition: '2025', publicationYear: 2025, licence: 'OGL-3.0', region: 'GB', gwpBasis: 'AR5' },
      fileName: 'dl.csv',
      checksum: 'dl-checksum',
      factors: [],
      skipped: [],
    });
    const csv = ['entity,period_start,period_end,activity_type,quantity,unit', ...Array.from({ length: 250 }, (_, i) => `HQ,2024-0${(i % 9) + 1}-01,2024-0${(i % 9) + 1}-28,diesel,${i + 1},litre`)].join('\n');
    const up = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/activity-imports`, csv, { 'content-type': 'text/csv' });
    expect(up.status).toBeLessThan(300);
  });
  afterAll(() => app.stop());

  /** A planned run of organisation A (no worker: its chunk jobs stay queued). */
  const plannedRun = async () => {
    const run = await createRun(t.db.pool, { orgId: a.orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'dl-2025', gwpSetId: 'AR5', chunkSize: 100 });
    expect((await planRun(t.db.pg, run.id)).status).toBe('planned');
    return run.id;
  };
  const chunkJobs = async (runId: string) =>
    (await t.db.pg.query<{ key: string; flags: Record<string, true> }>(`select key, flags from graphile_worker.jobs where key like $1 order by key`, [`chunk:${runId}:%`])).rows;

  it('shows parked chunks on the run; only the operator retries or discards; other organisations see nothing', async () => {
    const runId = await plannedRun();
    expect((await chunkJobs(runId)).map((j) => j.flags)).toEqual([{ [`org:${a.orgId}`]: true }, { [`org:${a.orgId}`]: true }, { [`org:${a.orgId}`]: true }]);
    // What the worker does with a chunk that keeps failing: its job is gone, a letter is parked.
    await t.db.pg.query(`select graphile_worker.remove_job($1)`, [`chunk:${runId}:1`]);
    const parked = await parkChunk(t.db.pg, { runId, chunkNo: 1, task: 'calculate_chunk', payload: { runId, chunkNo: 1 }, error: 'calculation failed: boom', attempts: 8 });
    expect(parked.parked).toBe(true);

    const run = await app.call(a.key, 'GET', `/v1/calculation-runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('running');
    expect(run.body.progress).toMatchObject({
      chunksTotal: 3,
      chunksDone: 0,
      chunksParked: 1,
      rowsTotal: '250',
      rowsDone: '0',
      parkedChunks: [{ deadLetterId: parked.id, chunkNo: 1, error: 'calculation failed: boom', attempts: 8 }],
    });
    expect(run.body.progress.rowsPerSecond).toBe(0);

    const mine = await app.call(a.key, 'GET', `/v1/dead-letters?runId=${runId}`);
    expect(mine.status).toBe(200);
    expect(mine.body.deadLetters).toMatchObject([{ id: parked.id, runId, orgId: a.orgId, chunkNo: 1, status: 'parked', attempts: 8 }]);
    expect((await app.call(a.key, 'GET', `/v1/dead-letters/${parked.id}`)).body.id).toBe(parked.id);
    expect((await app.call(ADMIN_TOKEN, 'GET', '/v1/dead-letters?status=parked')).body.deadLetters.map((l: { id: string }) => l.id)).toContain(parked.id);
    // Another organisation: nothing visible, 404 for what it names.
    expect((await app.call(b.key, 'GET', '/v1/dead-letters')).body.deadLetters).toEqual([]);
    expect((await app.call(b.key, 'GET', `/v1/dead-letters?runId=${runId}`)).status).toBe(404);
    expect((await app.call(b.key, 'GET', `/v1/dead-letters/${parked.id}`)).status).toBe(404);
    expect((await app.call(a.key, 'GET', `/v1/dead-letters?runId=nope`)).status).toBe(400);
    // Organisation keys never resolve letters, even their own.
    expect((await app.call(a.key, 'POST', `/v1/dead-letters/${parked.id}/retry`)).status).toBe(403);
    expect((await app.call(b.key, 'POST', `/v1/dead-letters/${parked.id}/discard`)).status).toBe(403);
    expect((await app.call(ADMIN_TOKEN, 'POST', `/v1/dead-letters/00000000-0000-4000-8000-000000000000/retry`)).status).toBe(404);

    const retried = await app.call(ADMIN_TOKEN, 'POST', `/v1/dead-letters/${parked.id}/retry`, { by: 'alice' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'retried', resolvedBy: 'operator:alice', redrives: 1 });
    expect((await chunkJobs(runId)).map((j) => j.key)).toEqual([0, 1, 2].map((n) => `chunk:${runId}:${n}`));
    expect((await app.call(ADMIN_TOKEN, 'POST', `/v1/dead-letters/${parked.id}/retry`)).status).toBe(409);
    expect((await app.call(a.key, 'GET', `/v1/calculation-runs/${runId}`)).body.progress.chunksParked).toBe(0);

    // Parked again, then discarded: the run fails with the reason and its jobs are removed.
    const again = await parkChunk(t.db.pg, { runId, chunkNo: 1, task: 'calculate_chunk', payload: { runId, chunkNo: 1 }, error: 'calculation failed: boom again', attempts: 8 });
    expect(again.id).toBe(parked.id);
    const discarded = await app.call(ADMIN_TOKEN, 'POST', `/v1/dead-letters/${parked.id}/discard`);
    expect(discarded.body).toMatchObject({ status: 'discarded', attempts: 16, redrives: 1, error: 'calculation failed: boom again' });
    const failed = await app.call(a.key, 'GET', `/v1/calculation-runs/${runId}`);
    expect(failed.body).toMatchObject({ status: 'failed', error: 'chunk 1 discarded by operator after it failed: calculation failed: boom again' });
    expect(failed.body.progress.etaSeconds).toBeNull();
    expect(await chunkJobs(runId)).toEqual([]);
    expect((await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/inventory?period=2024`)).status).toBe(404);
  });

  it('cancels a run for its own organisation or the operator, at once; 409 once finished', async () => {
    const runId = await plannedRun();
    expect(await chunkJobs(runId)).toHaveLength(3);
    expect((await app.call(b.key, 'POST', `/v1/calculation-runs/${runId}/cancel`)).status).toBe(404);
    const cancelled = await app.call(a.key, 'POST', `/v1/calculation-runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: runId, status: 'cancelled', error: expect.stringMatching(/^cancelled by api-key:/) });
    expect(await chunkJobs(runId)).toEqual([]);
    const again = await app.call(ADMIN_TOKEN, 'POST', `/v1/calculation-runs/${runId}/cancel`);
    expect(again).toMatchObject({ status: 409, body: { type: 'urn:tally:problem:run-finished' } });
    // A queued run (not yet planned) is cancelled by the operator with its planning job.
    const queued = await createRun(t.db.pool, { orgId: a.orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'dl-2025', gwpSetId: 'AR5', chunkSize: 100 });
    expect((await app.call(ADMIN_TOKEN, 'POST', `/v1/calculation-runs/${queued.id}/cancel`)).body.status).toBe('cancelled');
    expect((await t.db.pg.query(`select count(*)::int as n from graphile_worker.jobs where key = $1`, [`plan:${queued.id}`])).rows[0].n).toBe(0);
    expect((await planRun(t.db.pg, queued.id)).status).toBe('already_planned');
    expect((await app.call(a.key, 'POST', `/v1/calculation-runs/00000000-0000-4000-8000-000000000000/cancel`)).status).toBe(404);
  });
});
