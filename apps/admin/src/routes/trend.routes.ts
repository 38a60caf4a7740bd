import { AnalyticsCopyOutdated, runDiffFromAnalytics, runScopeFiguresFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import {
  NoBaseYear, baseYearHistory, currentBaseYearRecord, ensureBaseYearRecord, findOrganisation, findRun, organisationTrend, recordBaseYear, runDiffCsv, runDiffFromPostgres, runScopeFigures,
  type Db, type RunDiffReport,
} from '@tally/db';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, fromZod, notFound } from '../http/problem.ts';

const who = (req: Request) => (req.principal?.kind === 'organisation' ? `api-key:${req.principal.keyId}` : 'operator');
const Restate = z.object({ by: z.string().trim().min(1).max(200).optional(), note: z.string().trim().max(2000).optional() }).strict();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const noAnalytics = () => new ProblemError(409, 'urn:tally:problem:no-analytics-store', 'No analytics store', 'this deployment has no ClickHouse analytics store; use source=postgres');
const outdated = (e: AnalyticsCopyOutdated) => new ProblemError(409, 'urn:tally:problem:analytics-copy-outdated', 'Analytics copy outdated', `${e.message}; read source=postgres`);

/** source=postgres|clickhouse; default: ClickHouse when the deployment has it. */
function wantedSource(req: Request, analytics: ClickHouseClient | undefined): { wanted: 'postgres' | 'clickhouse' | undefined; source: 'postgres' | 'clickhouse' } {
  const wanted = req.query.source;
  if (wanted !== undefined && wanted !== 'postgres' && wanted !== 'clickhouse') throw badRequest('source is postgres or clickhouse');
  if (wanted === 'clickhouse' && !analytics) throw noAnalytics();
  return { wanted, source: wanted === 'postgres' || !analytics ? 'postgres' : 'clickhouse' };
}

/**
 * Base year and trend, and the run diff (README "Reports"):
 * GET /v1/organisations/{id}/reports/trend, GET /v1/organisations/{id}/base-year,
 * POST /v1/organisations/{id}/base-year/restate, GET /v1/organisations/{id}/reports/diff?from=&to=.
 */
export function trendRoutes(db: Db, analytics?: ClickHouseClient): Router {
  const r = Router();

  r.get('/organisations/:orgId/reports/trend', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const { wanted, source: preferred } = wantedSource(req, analytics);
    const org = await findOrganisation(db.pool, orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    if (org.baseYear === null) throw new ProblemError(409, 'urn:tally:problem:no-base-year', 'No base year', 'the organisation has no base year: set baseYear with PATCH /v1/organisations/{id}');
    // The base-year figure of record is taken when the base year is first reported.
    await ensureBaseYearRecord(db.pool, orgId, 'first report');
    let source = preferred;
    let sourceNote: string | undefined;
    const pg = (runId: string, approach: string) => runScopeFigures(db.pool, runId, approach);
    let trend;
    if (source === 'clickhouse' && analytics) {
      try {
        trend = await organisationTrend(db.pool, orgId, (runId, approach) => runScopeFiguresFromAnalytics(analytics, orgId, runId, approach));
      } catch (e) {
        if (!(e instanceof AnalyticsCopyOutdated)) throw e;
        if (wanted === 'clickhouse') throw outdated(e);
        source = 'postgres';
        sourceNote = `${e.message}; read from Postgres`;
      }
    }
    trend ??= await organisationTrend(db.pool, orgId, pg);
    if (!trend) throw notFound('organisation');
    res.json({ organisationId: orgId, source, ...(sourceNote ? { sourceNote } : {}), unit: 'kg', scope2Basis: 'location-based', ...trend });
  });

  r.get('/organisations/:orgId/base-year', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const org = await findOrganisation(db.pool, orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    res.json({ baseYear: org.baseYear, restatementThreshold: org.restatementThreshold, recorded: await currentBaseYearRecord(db.pool, orgId), history: await baseYearHistory(db.pool, orgId) });
  });

  r.post('/organisations/:orgId/base-year/restate', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const body = Restate.safeParse(req.body ?? {});
    if (!body.success) throw fromZod(body.error);
    if (!(await findOrganisation(db.pool, orgId).catch(() => null))) throw notFound('organisation');
    const previous = await currentBaseYearRecord(db.pool, orgId);
    try {
      const recorded = await recordBaseYear(db.pool, orgId, { reason: 'restatement_accepted', by: body.data.by ? `${body.data.by} (${who(req)})` : who(req), note: body.data.note ?? null });
      res.status(201).json({ recorded, previous });
    } catch (e) {
      if (e instanceof NoBaseYear) throw new ProblemError(409, 'urn:tally:problem:no-base-year', 'No base year', e.message);
      throw e;
    }
  });

  r.get('/organisations/:orgId/reports/diff', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const { from: fromId, to: toId } = req.query;
    if (typeof fromId !== 'string' || typeof toId !== 'string' || !UUID.test(fromId) || !UUID.test(toId)) throw badRequest('query parameters from and to are required: the ids of two calculation runs');
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('format is json or csv');
    const top = req.query.top === undefined ? 20 : Number(req.query.top);
    if (!Number.isInteger(top) || top < 0 || top > 10_000) throw badRequest('top is an integer from 0 to 10000');
    const { wanted, source: preferred } = wantedSource(req, analytics);
    const org = await findOrganisation(db.pool, orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    const [from, to] = await Promise.all([findRun(db.pool, fromId), findRun(db.pool, toId)]);
    // Another organisation's run is as missing as a run that does not exist.
    if (!from || from.orgId !== orgId) throw notFound(`calculation run ${fromId}`);
    if (!to || to.orgId !== orgId) throw notFound(`calculation run ${toId}`);
    for (const run of [from, to]) {
      if (run.status !== 'complete') throw new ProblemError(409, 'urn:tally:problem:run-not-complete', 'Run not complete', `run ${run.id} is ${run.status}: only complete runs are compared`);
    }
    if (from.periodStart !== to.periodStart || from.periodEnd !== to.periodEnd) {
      throw new ProblemError(422, 'urn:tally:problem:diff-period-mismatch', 'Different periods',
        `run ${from.id} covers ${from.periodStart}/${from.periodEnd} and run ${to.id} covers ${to.periodStart}/${to.periodEnd}: a diff attributes the change of one period's inventory, so both runs must cover the same period (compare years with …/reports/trend)`,
        { from: { periodStart: from.periodStart, periodEnd: from.periodEnd }, to: { periodStart: to.periodStart, periodEnd: to.periodEnd } });
    }
    // The CSV lists every activity line that moved; JSON the top N by |change|.
    const limit = format === 'csv' ? undefined : top;
    let source = preferred;
    let sourceNote: string | undefined;
    let diff: RunDiffReport | undefined;
    if (source === 'clickhouse' && analytics) {
      try {
        diff = await runDiffFromAnalytics(analytics, db.pool, orgId, from, to, org.consolidationApproach, limit);
      } catch (e) {
        if (!(e instanceof AnalyticsCopyOutdated)) throw e;
        if (wanted === 'clickhouse') throw outdated(e);
        source = 'postgres';
        sourceNote = `${e.message}; read from Postgres`;
      }
    }
    diff ??= await runDiffFromPostgres(db.pool, from, to, org.consolidationApproach, limit);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="diff-${from.id}-${to.id}.csv"`).send(runDiffCsv(diff));
      return;
    }
    res.json({ organisationId: orgId, source, ...(sourceNote ? { sourceNote } : {}), ...diff });
  });

  return r;
}
