import { MATCHER_VERSION } from '@tally/core';
import { copyRows, createRun, findRun, planRun, storeFactorSet, storeGwpSets } from '@tally/db';
import { loadBundledFactorSet, loadBundledGwpSets } from '@tally/factor-data';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';

describe('a run planned with another matcher version', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle | undefined;
  let orgId: string;
  beforeAll(async () => {
    await storeGwpSets(t.db.pg, await loadBundledGwpSets());
    const l = await loadBundledFactorSet('desnz-2025');
    await storeFactorSet(t.db.pg, { meta: l.meta, fileName: l.fileName, checksum: l.checksum, factors: l.result.factors, skipped: l.result.skipped });
    orgId = (await t.db.pg.query<{ id: string }>(`insert into organisations (name) values ('Rolling upgrade') returning id`)).rows[0]!.id;
    const gb = (await t.db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'GB1', 'UK', 'site', 'GB') returning id`, [orgId])).rows[0]!.id;
    const imp = (await t.db.pg.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [orgId])).rows[0]!.id;
    const client = await t.db.pg.connect();
    try {
      // an activity type that names no factor: matched by text
      await copyRows(client, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'], [[orgId, imp, 2, gb, '2025-01-01', '2025-01-31', 'natural gas', '1000', 'kWh_gross']]);
    } finally {
      client.release();
    }
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
    let job: { attempts: number; last_error: string | null } | undefined;
    for (let i = 0; i < 300 && !job?.last_error; i++) {
      await new Promise((res) => setTimeout(res, 100));
      job = (await t.db.pg.query<{ attempts: number; last_error: string | null }>(`select attempts, last_error from graphile_worker.jobs where key = $1`, [`chunk:${run.id}:0`])).rows[0];
    }
    expect(job?.last_error).toContain(`matches by text with matcher 1999-01-01, this worker has ${MATCHER_VERSION}`);
    expect((await t.db.pg.query(`select count(*)::int as n from calculation_result_rows where run_id = $1`, [run.id])).rows[0].n).toBe(0);
    expect((await findRun(t.db.pool, run.id))?.status).toBe('running');
  }, 60_000);
});
