import type { ClickHouseClient } from '@clickhouse/client';
import { scopeFiguresFromPct, type ScopeFigures } from '@tally/db';
import { AnalyticsCopyOutdated } from './reports.ts';

/**
 * A run's Scope 1, 2 (location-based), 3 and total from ClickHouse: sums of co2e_kg x weight in
 * percent (ownership under equity share, else 100), Decimal128, exact; the same figures as
 * runScopeFigures in @tally/db.
 */
export async function runScopeFiguresFromAnalytics(ch: ClickHouseClient, orgId: string, runId: string, consolidationApproach: string): Promise<ScopeFigures> {
  const w = consolidationApproach === 'equity_share' ? 'ownership_pct' : '100';
  const rs = await ch.query({
    query: `SELECT scope, toString(sum(co2e_kg * ${w})) AS co2eKgPct, count() AS n FROM emission_results FINAL
            WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND status = 'calculated' AND scope IS NOT NULL GROUP BY scope`,
    query_params: { org: orgId, run: runId },
    format: 'JSONEachRow',
  });
  const lines = await rs.json<{ scope: number; co2eKgPct: string }>();
  if (lines.length === 0) {
    // a run with no calculated row in the scopes is possible; a run never exported is not a zero
    const n = await ch.query({ query: 'SELECT count() AS n FROM emission_results FINAL WHERE org_id = {org:UUID} AND run_id = {run:UUID}', query_params: { org: orgId, run: runId }, format: 'JSONEachRow' });
    const [c] = await n.json<{ n: string }>();
    if (!c || c.n === '0') throw new AnalyticsCopyOutdated(runId, 'does not exist');
  }
  return scopeFiguresFromPct(lines.map((l) => ({ scope: Number(l.scope), co2eKgPct: l.co2eKgPct })));
}
