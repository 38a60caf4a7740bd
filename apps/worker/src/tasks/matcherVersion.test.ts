import { MATCHER_VERSION } from '@tally/core';
import { createRun, findRun, planRun } from '@tally/db';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { waitFor } from '../test/runs.ts';
import { seedTextTypeOrganisation } from '../test/seed.ts';

describe('a run planned with another matcher version', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle | undefined;
  let orgId: string;
  beforeAll(async () => {
    ({ orgId } = await seedTextTypeOrganisation(t.db, 'Rolling upgrade'));
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('is not matched by this worker: its chunk waits, with the reason, for a worker of that version', async () => {
    const run = await createRun(t.db.pool, { orgId, periodStart: '2025-01-01', periodEnd: '2025-12-31', factorSetId: 'desnz-2025', gwpSetId: 'AR5', chunkSize: 100, options: { matchThreshold: 0.3 } });
    // planned before any worker runs, then as if by a worker of another version
    expect((await planRun(t.db.pg, run.id)).status).toBe('planned');
    expect((await findRun(t.db.pool, run.id))?.matcherVersion).toBe(MATCHER_VERSION);
    await t.db.pg.query(`update calculation_runs set matcher_version = '1999-01-01' where id = $1`, [run.id]);
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 1, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true });
    const job = await waitFor('the chunk job to fail', async () => {
      const j = (await t.db.pg.query<{ attempts: number; last_error: string | null }>(`select attempts, last_error from graphile_worker.jobs where key = $1`, [`chunk:${run.id}:0`])).rows[0];
      return j?.last_error ? j : undefined;
    }, 30_000);
    expect(job.last_error).toContain(`matches by text with matcher 1999-01-01, this worker has ${MATCHER_VERSION}`);
    expect((await t.db.pg.query(`select count(*)::int as n from calculation_result_rows where run_id = $1`, [run.id])).rows[0].n).toBe(0);
    expect((await findRun(t.db.pool, run.id))?.status).toBe('running');
  }, 60_000);
});
