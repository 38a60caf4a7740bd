import { createMappingRule, type RunRow } from '@tally/db';
import { MATCHER_VERSION } from '@tally/core';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { runUntilFinished } from '../test/runs.ts';
import { seedTextTypeOrganisation } from '../test/seed.ts';

describe('an activity type that names no factor', () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let orgId: string;
  beforeAll(async () => {
    ({ orgId } = await seedTextTypeOrganisation(t.db, 'Text types'));
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 1, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  const run = async (baseRunId?: string): Promise<RunRow> => {
    return runUntilFinished(t.db.pool, { orgId, periodStart: '2025-01-01', periodEnd: '2025-12-31', factorSetId: 'desnz-2025', gwpSetId: 'AR5', chunkSize: 100, options: { matchThreshold: 0.3 }, baseRunId });
  };

  it('is read as text and matched to a factor of the run\'s sets, the match kept on the result', async () => {
    const r = await run();
    expect(r?.status).toBe('complete');
    const row = (await t.db.pg.query(`select status, factor_id, match from calculation_results where run_id = $1`, [r!.id])).rows[0];
    expect(row.status).toBe('calculated');
    expect(row.match).toMatchObject({ method: 'text', key: expect.stringMatching(/^fuels\/gaseous-fuels\/natural-gas/) });
    expect(row.factor_id).toMatch(/^desnz-2025:/);
  });

  it('records the matcher version, and is matched again by an incremental run from a run of another matcher version', async () => {
    const base = await run();
    expect(base?.matcherVersion).toBe(MATCHER_VERSION);
    await t.db.pg.query(`update calculation_runs set matcher_version = '2026-01-01' where id = $1`, [base!.id]);
    const after = await run(base!.id);
    expect(after).toMatchObject({ status: 'complete', matcherVersion: MATCHER_VERSION, incremental: { mode: 'incremental', carried: 0, recalculated: 1, reasons: { matcher_changed: 1 } } });
    // and from a run of this version, carried
    expect((await run(after!.id))?.incremental).toMatchObject({ mode: 'incremental', carried: 1, recalculated: 0 });
  });

  it('is matched again by an incremental run once the mapping rules changed, and carried while they did not', async () => {
    const base = await run();
    expect((await run(base!.id))?.incremental).toMatchObject({ mode: 'incremental', carried: 1, recalculated: 0 });
    await createMappingRule(t.db.pool, orgId, { kind: 'exact', field: 'supplier', pattern: 'Gas Board', key: 'fuels/gaseous-fuels/natural-gas/energy-gross-cv', createdBy: 'test' });
    const after = await run(base!.id);
    expect(after).toMatchObject({ status: 'complete', incremental: { mode: 'incremental', carried: 0, recalculated: 1, reasons: { mappings_changed: 1 } } });
  });
});
