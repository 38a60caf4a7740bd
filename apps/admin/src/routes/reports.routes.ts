import { AnalyticsCopyOutdated, runInventoryReportFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { parsePeriod } from '@tally/core';
import { findOrganisation, inventoryReportCsv, latestCompleteRun, listEntities, loadMarketScope2Factors, runInventoryReport, sql, type Db } from '@tally/db';
import { Router } from 'express';
import { z } from 'zod';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, notFound } from '../http/problem.ts';

/**
 * GET /v1/organisations/{id}/reports/inventory?period=2024[&source=postgres|clickhouse][&format=json|csv]:
 * the GHG Protocol inventory report of the period's latest complete run, with its breakdowns and
 * data quality; the same figures from either store.
 */
export function reportRoutes(db: Db, analytics?: ClickHouseClient): Router {
  const r = Router();

  r.get('/organisations/:orgId/reports/inventory', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    if (typeof req.query.period !== 'string') throw badRequest('query parameter period is required, e.g. ?period=2024');
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('format is json or csv');
    const wanted = req.query.source;
    if (wanted !== undefined && wanted !== 'postgres' && wanted !== 'clickhouse') throw badRequest('source is postgres or clickhouse');
    if (wanted === 'clickhouse' && !analytics) throw new ProblemError(409, 'urn:tally:problem:no-analytics-store', 'No analytics store', 'this deployment has no ClickHouse analytics store; use source=postgres');
    const period = parsePeriod(req.query.period);
    const org = await findOrganisation(db.pool, orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    const run = await latestCompleteRun(db.pool, orgId, period.start, period.end);
    if (!run) throw new ProblemError(404, 'urn:tally:problem:no-complete-run', 'No complete run', `no complete calculation run for ${period.start}/${period.end}; POST a calculation run first`);

    let source: 'postgres' | 'clickhouse' = wanted === 'postgres' || !analytics ? 'postgres' : 'clickhouse';
    let sourceNote: string | undefined;
    let report;
    // The organisation's contractual instruments and residual mixes are factors: Postgres holds them for both stores.
    const market = await loadMarketScope2Factors(db.pool, run.id);
    if (source === 'clickhouse' && analytics) {
      try {
        report = await runInventoryReportFromAnalytics(analytics, orgId, run.id, org.consolidationApproach, market);
      } catch (e) {
        if (!(e instanceof AnalyticsCopyOutdated) || wanted === 'clickhouse') {
          if (e instanceof AnalyticsCopyOutdated) throw new ProblemError(409, 'urn:tally:problem:analytics-copy-outdated', 'Analytics copy outdated', `${e.message}; read source=postgres`);
          throw e;
        }
        source = 'postgres';
        sourceNote = `${e.message}; read from Postgres`;
      }
    }
    report ??= await runInventoryReport(db.pool, run.id, org.consolidationApproach, market);

    if (format === 'csv') {
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="inventory-${req.query.period.replace(/[^0-9A-Za-z-]/g, '_')}-${run.id}.csv"`)
        .send(inventoryReportCsv(report));
      return;
    }
    const factorSets = await db.pool.any(sql.type(z.object({ id: z.string(), source: z.string(), edition: z.string() }))`
      select id, source, edition from factor_sets where id = any(${sql.array(run.factorSetIds, 'text')}) order by array_position(${sql.array(run.factorSetIds, 'text')}, id)`);
    const entities = await listEntities(db.pool, orgId);
    const byId = new Map(entities.map((e) => [e.id, e.code]));
    res.json({
      organisationId: orgId,
      source,
      ...(sourceNote ? { sourceNote } : {}),
      period,
      run: { id: run.id, factorSetIds: run.factorSetIds, factorSets, gwpSetId: run.gwpSetId, options: run.options, completedAt: run.completedAt },
      unit: 'kg',
      gwpSetId: run.gwpSetId,
      entities: entities.map((e) => ({ code: e.code, name: e.name, kind: e.kind, parentCode: e.parentId ? (byId.get(e.parentId) ?? null) : null, country: e.country, ownershipPct: e.ownershipPct })),
      ...report,
    });
  });

  return r;
}
