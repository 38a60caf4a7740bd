import { runInventoryFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { parsePeriod } from '@tally/core';
import { cancelRun, createRun, factorSetUsableBy, findOrganisation, listDeadLetters, runCategoryProfiles, runMethodTotals, findRun, gwpSetExists, latestCompleteRun, runInventory, runResults, type Db, type DeadLetter } from '@tally/db';
import { Router } from 'express';
import { z } from 'zod';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, fromZod, notFound } from '../http/problem.ts';

const CreateRun = z
  .object({
    period: z.string().min(4),
    /** One set, or several in priority order (the organisation's own factors first). */
    factorSetId: z.string().min(1).optional(),
    factorSetIds: z.array(z.string().min(1)).min(1).max(20).optional(),
    gwpSetId: z.string().min(1).default('AR5'),
    chunkSize: z.number().int().min(100).max(200_000).default(10_000),
    options: z
      .object({ radiativeForcing: z.enum(['with', 'without']).default('with'), matchThreshold: z.number().min(0).max(1).optional(), shippedLabels: z.boolean().optional() })
      .strict()
      .default({ radiativeForcing: 'with' }),
    /**
     * Incremental recalculation: start from this complete run of the same organisation and period
     * ('latest': the latest one), recalculate only the activities a change can have touched and
     * carry the other results forward.
     */
    incrementalFrom: z.union([z.uuid(), z.literal('latest')]).optional(),
  })
  .refine((b) => b.factorSetId !== undefined || b.factorSetIds !== undefined, { message: 'give factorSetId or factorSetIds', path: ['factorSetId'] });

export function calculationRoutes(db: Db, analytics?: ClickHouseClient): Router {
  const r = Router();

  r.post('/organisations/:orgId/calculation-runs', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const body = CreateRun.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const period = parsePeriod(body.data.period);
    const org = await findOrganisation(db.pool, orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    const setIds = [...new Set([...(body.data.factorSetIds ?? []), ...(body.data.factorSetId ? [body.data.factorSetId] : [])])];
    for (const id of setIds) {
      // Another organisation's set answers exactly like a missing one.
      if (!(await factorSetUsableBy(db.pool, id, orgId))) throw new ProblemError(422, 'urn:tally:problem:unknown-factor-set', 'Unknown factor set', `factor set "${id}" is not loaded, retired, or not this organisation's (GET /v1/factor-sets)`);
    }
    if (!(await gwpSetExists(db.pool, body.data.gwpSetId))) throw new ProblemError(422, 'urn:tally:problem:unknown-gwp-set', 'Unknown GWP set', `GWP set "${body.data.gwpSetId}" is not loaded (GET /v1/gwp-sets)`);
    let baseRunId: string | undefined;
    if (body.data.incrementalFrom) {
      const base =
        body.data.incrementalFrom === 'latest' ? await latestCompleteRun(db.pool, orgId, period.start, period.end) : await findRun(db.pool, body.data.incrementalFrom).catch(() => null);
      const problem = (detail: string) => new ProblemError(422, 'urn:tally:problem:invalid-base-run', 'Invalid base run', detail, { field: 'incrementalFrom' });
      // Another organisation's run answers exactly like a missing one.
      if (!base || base.orgId !== orgId) throw problem(body.data.incrementalFrom === 'latest' ? `no complete run of ${period.start}/${period.end} to start from` : `run ${body.data.incrementalFrom} not found`);
      if (base.periodStart !== period.start || base.periodEnd !== period.end) throw problem(`run ${base.id} covers ${base.periodStart}/${base.periodEnd}, not ${period.start}/${period.end}`);
      if (base.status !== 'complete') throw problem(`run ${base.id} is ${base.status}; only a complete run can be a base`);
      baseRunId = base.id;
    }
    const { shippedLabels, ...options } = body.data.options;
    const run = await createRun(db.pool, {
      orgId,
      periodStart: period.start,
      periodEnd: period.end,
      factorSetId: body.data.factorSetId ?? setIds[0]!,
      factorSetIds: setIds,
      gwpSetId: body.data.gwpSetId,
      chunkSize: body.data.chunkSize,
      // The organisation's review threshold and use of the shipped labels unless the run says
      // otherwise; the labels are the default, so only their absence is written (a run is compared
      // with its base by its options).
      options: {
        ...options,
        matchThreshold: options.matchThreshold ?? Number(org.matchThreshold),
        ...((shippedLabels ?? org.useShippedLabels) ? {} : { shippedLabels: false }),
      },
      baseRunId,
    });
    res.status(202).location(`/v1/calculation-runs/${run.id}`).json(presentRun(run, []));
  });

  r.get('/calculation-runs/:runId', async (req, res) => {
    const run = await findRun(db.pool, req.params.runId).catch(() => null);
    if (!run) throw notFound('calculation run');
    requireOrg(req, run.orgId);
    res.json(presentRun(run, await listDeadLetters(db.pool, { runId: run.id, status: 'parked' })));
  });

  // Cancels a queued or running run at once; its pending chunk jobs are removed and a running
  // chunk writes nothing. 409 once the run is complete, failed or cancelled.
  r.post('/calculation-runs/:runId/cancel', async (req, res) => {
    const run = await findRun(db.pool, req.params.runId).catch(() => null);
    if (!run) throw notFound('calculation run');
    requireOrg(req, run.orgId);
    const by = req.principal?.kind === 'organisation' ? `api-key:${req.principal.keyId}` : 'operator';
    const outcome = await cancelRun(db.pg, run.id, by);
    if (outcome.status === 'not_found') throw notFound('calculation run');
    if (outcome.status === 'conflict') throw new ProblemError(409, 'urn:tally:problem:run-finished', 'Run already finished', `the run is ${outcome.runStatus}; only a queued or running run can be cancelled`);
    res.json(presentRun((await findRun(db.pool, run.id))!, []));
  });

  r.get('/calculation-runs/:runId/results', async (req, res) => {
    const run = await findRun(db.pool, req.params.runId).catch(() => null);
    if (!run) throw notFound('calculation run');
    requireOrg(req, run.orgId);
    const after = typeof req.query.afterActivityId === 'string' ? req.query.afterActivityId : null;
    if (after !== null && !/^\d+$/.test(after)) throw badRequest('afterActivityId must be an activity id');
    const limit = Math.min(Number(req.query.limit ?? 100), 1000);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest('limit must be a positive integer');
    const results = await runResults(db.pool, run.id, after, limit);
    const last = results.at(-1);
    res.json({ results, next: results.length === limit && last ? `?afterActivityId=${last.activityId}&limit=${limit}` : null });
  });

  // What the run's matcher read of each of the organisation's categories (taken when the run was planned).
  r.get('/calculation-runs/:runId/category-profiles', async (req, res) => {
    const run = await findRun(db.pool, req.params.runId).catch(() => null);
    if (!run) throw notFound('calculation run');
    requireOrg(req, run.orgId);
    res.json({ runId: run.id, categoryProfiles: await runCategoryProfiles(db.pool, run.id) });
  });

  r.get('/organisations/:orgId/inventory', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    if (typeof req.query.period !== 'string') throw badRequest('query parameter period is required, e.g. ?period=2024');
    const period = parsePeriod(req.query.period);
    const org = await findOrganisation(db.pool, orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    const run = await latestCompleteRun(db.pool, orgId, period.start, period.end);
    if (!run) throw new ProblemError(404, 'urn:tally:problem:no-complete-run', 'No complete run', `no complete calculation run for ${period.start}/${period.end}; POST a calculation run first`);
    const source = req.query.source === 'postgres' || !analytics ? 'postgres' : 'clickhouse';
    const inventory = source === 'clickhouse' && analytics ? await runInventoryFromAnalytics(analytics, run.id, org.consolidationApproach) : await runInventory(db.pool, run.id, org.consolidationApproach);
    const methods = await runMethodTotals(db.pool, run.id, org.consolidationApproach, run.options.radiativeForcing ?? 'with');
    res.json({
      organisationId: orgId,
      source,
      period,
      run: { id: run.id, factorSetId: run.factorSetId, factorSetIds: run.factorSetIds, gwpSetId: run.gwpSetId, options: run.options, completedAt: run.completedAt },
      unit: 'kg',
      ...inventory,
      methods,
    });
  });

  return r;
}

function presentRun(run: NonNullable<Awaited<ReturnType<typeof findRun>>>, parked: readonly DeadLetter[]) {
  const { chunksTotal, chunksDone, rowsTotal, rowsDone, ...rest } = run;
  // Rate over the run's life so far (to completion once finished); ETA only while running.
  const end = run.completedAt ? Date.parse(run.completedAt) : Date.now();
  const secs = run.startedAt ? Math.max(0, (end - Date.parse(run.startedAt)) / 1000) : 0;
  const done = Number(rowsDone);
  const rowsPerSecond = secs > 0 ? Math.round((done / secs) * 10) / 10 : null;
  const left = rowsTotal === null ? null : Number(rowsTotal) - done;
  const etaSeconds = run.status === 'running' && rowsPerSecond && left !== null ? Math.ceil(left / rowsPerSecond) : null;
  return {
    ...rest,
    progress: {
      chunksTotal,
      chunksDone,
      chunksParked: parked.length,
      rowsTotal,
      rowsDone,
      rowsPerSecond,
      etaSeconds,
      parkedChunks: parked.map((l) => ({ deadLetterId: l.id, chunkNo: l.chunkNo, error: l.error, attempts: l.attempts, firstFailedAt: l.firstFailedAt, lastFailedAt: l.lastFailedAt })),
    },
  };
}
