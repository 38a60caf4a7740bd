import type { ClickHouseClient } from '@clickhouse/client';
import type { Inventory } from '@tally/db';

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/**
 * The inventory of one run from ClickHouse: the same figures as the Postgres report. Sums of
 * Decimal128(12) are exact; the equity-share weight (ownership / 100) keeps them exact.
 */
export async function runInventoryFromAnalytics(ch: ClickHouseClient, runId: string, consolidationApproach: string): Promise<Inventory> {
  const weight = consolidationApproach === 'equity_share' ? 'toDecimal128(ownership_pct, 4) / 100' : '1';
  const base = `FROM emission_results FINAL WHERE run_id = {run:UUID}`;
  const p = { run: runId };
  const dec = (s: string) => s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  const [cats, scopes, totals, gases, unmatched] = await Promise.all([
    rows<{ scope: number | null; category: string; co2eKg: string; activities: string }>(
      ch,
      `SELECT scope, category, toString(sum(co2e_kg * ${weight})) AS co2eKg, count() AS activities ${base} AND status = 'calculated'
       GROUP BY scope, category ORDER BY scope ASC NULLS LAST, category`,
      p,
    ),
    rows<{ scope: number | null; co2eKg: string }>(ch, `SELECT scope, toString(sum(co2e_kg * ${weight})) AS co2eKg ${base} AND status = 'calculated' GROUP BY scope ORDER BY scope ASC NULLS LAST`, p),
    rows<{ activities: string; calculated: string; unmatched: string; failed: string; co2eKg: string }>(
      ch,
      `SELECT count() AS activities, countIf(status = 'calculated') AS calculated, countIf(status = 'unmatched') AS unmatched,
              countIf(status = 'failed') AS failed, toString(sum(co2e_kg * ${weight})) AS co2eKg ${base}`,
      p,
    ),
    rows<{ gas: string; kg: string }>(ch, `SELECT gas, toString(sum(kg * ${weight})) AS kg FROM emission_results FINAL ARRAY JOIN mapKeys(gas_kg) AS gas, mapValues(gas_kg) AS kg
       WHERE run_id = {run:UUID} AND status = 'calculated' GROUP BY gas ORDER BY gas`, p),
    rows<{ reason: string; activities: string }>(ch, `SELECT reason, count() AS activities ${base} AND status != 'calculated' GROUP BY reason ORDER BY reason`, p),
  ]);
  const t = totals[0]!;
  return {
    runId,
    consolidationApproach,
    totals: { co2eKg: dec(t.co2eKg), activities: Number(t.activities), calculated: Number(t.calculated), unmatched: Number(t.unmatched), failed: Number(t.failed) },
    byScope: scopes.map((s) => ({ scope: s.scope, co2eKg: dec(s.co2eKg) })),
    byScopeCategory: cats.map((c) => ({ scope: c.scope, category: c.category, co2eKg: dec(c.co2eKg), activities: Number(c.activities) })),
    byGas: gases.map((g) => ({ gas: g.gas, kg: dec(g.kg) })),
    unmatched: unmatched.map((u) => ({ reason: u.reason, activities: Number(u.activities) })),
  };
}
