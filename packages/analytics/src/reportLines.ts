import type { ClickHouseClient } from '@clickhouse/client';
import type { BreakdownName, ReportAggregates } from '@tally/db';

/** report_lines (db/clickhouse/005_report_lines.sql): the breakdowns the rollup keeps, as the report names them. */
const BREAKDOWN_LINES = new Set<string>(['category', 'country', 'month', 'factor_source', 'match_method', 'calculation_method', 'entity']);

interface Line {
  breakdown: string;
  key: string;
  scope: number;
  weight: string;
  co2eKgPct: string;
  co2eKg: string;
  amount: string;
  activities: string;
}

/**
 * The report aggregates of one run from the report_lines rollup: one small read instead of a scan
 * of every row. Exact: Decimal128 sums of co2e_kg per ownership share, weighted (ownership under
 * equity share, else 100) and summed again in ClickHouse, as the scan does row by row.
 * Returns null when the rollup does not hold exactly the run's rows (copied before the rollup
 * existed, or copied twice and not yet replaced): the caller then scans emission_results FINAL.
 */
export async function reportAggregatesFromLines(ch: ClickHouseClient, orgId: string, runId: string, consolidationApproach: string, runRows: number): Promise<ReportAggregates | null> {
  const w = consolidationApproach === 'equity_share' ? 'ownership_pct' : '100';
  // Breakdown lines are per scope; quality, gas, status and spend lines are not (as the scans group them).
  const rs = await ch.query({
    query: `SELECT breakdown, key, if(breakdown IN ({breakdowns:Array(String)}), scope_key, -1) AS scope, if(breakdown = 'scope2', toString(${w}), '') AS weight, toString(sum(co2e * ${w})) AS co2eKgPct,
                   toString(sum(co2e)) AS co2eKg, toString(sum(amount)) AS amount, sum(activities) AS activities
            FROM report_lines WHERE org_id = {org:UUID} AND run_id = {run:UUID} GROUP BY breakdown, key, scope, weight
            UNION ALL
            SELECT 'rows', '', -1, '', '0', '0', '0', count() FROM emission_results WHERE org_id = {org:UUID} AND run_id = {run:UUID}`,
    query_params: { org: orgId, run: runId, breakdowns: [...BREAKDOWN_LINES] },
    format: 'JSONEachRow',
  });
  const lines = await rs.json<Line>();
  const raw = Number(lines.find((l) => l.breakdown === 'rows')?.activities ?? -1);
  const rolled = lines.filter((l) => l.breakdown === 'status').reduce((n, l) => n + Number(l.activities), 0);
  // Every row once in emission_results (no copy awaiting replacement) and once in the rollup.
  if (raw !== runRows || rolled !== runRows) return null;

  const of = (b: string) => lines.filter((l) => l.breakdown === b);
  const scope = (l: Line) => (Number(l.scope) === -1 ? null : Number(l.scope));
  return {
    breakdowns: lines
      .filter((l) => BREAKDOWN_LINES.has(l.breakdown))
      .map((l) => ({ breakdown: l.breakdown as BreakdownName, key: l.key, scope: scope(l), co2eKgPct: l.co2eKgPct, activities: Number(l.activities) })),
    gases: of('gas').map((l) => ({ gas: l.key, kgPct: l.co2eKgPct })),
    quality: of('quality').map((l) => {
      const [technological, geographical, temporal] = l.key.split(',').map(Number);
      return { technological: technological!, geographical: geographical!, temporal: temporal!, co2eKgPct: l.co2eKgPct };
    }),
    statuses: of('status').map((l) => {
      const [status, reason] = l.key.split('\0');
      return { status: status!, reason: reason ?? '', activities: Number(l.activities) };
    }),
    spend: of('spend').map((l) => {
      const [currency, calculated] = l.key.split('\0');
      return { currency: currency!, calculated: calculated === '1', amount: l.amount };
    }),
    scope2: of('scope2').map((l) => {
      const [entityCode, region, month, supplier, category, unit] = l.key.split('\0');
      return {
        entityCode: entityCode!, weightPct: l.weight, region: region!, month: month!, supplier: supplier!, category: category!, unit: unit!,
        quantity: l.amount, locationCo2eKg: l.co2eKg, activities: Number(l.activities),
      };
    }),
  };
}
