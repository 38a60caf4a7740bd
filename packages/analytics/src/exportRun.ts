import type { ClickHouseClient } from '@clickhouse/client';
import type { Db } from '@tally/db';

const BATCH = 50_000;

/**
 * Copies one run's results from Postgres (the system of record) to ClickHouse in activity-id
 * batches. Safe to repeat: each batch carries a deterministic deduplication token and the table
 * replaces rows on its full key.
 */
export async function exportRunToAnalytics(db: Db, ch: ClickHouseClient, runId: string): Promise<number> {
  let after = '0';
  let batchNo = 0;
  let total = 0;
  for (;;) {
    const r = await db.pg.query({
      text: `select r.run_id, r.org_id, r.activity_id, r.entity_id, e.ownership_pct, r.period_start, r.status, r.scope,
                    coalesce(r.category, ''), coalesce(r.factor_id, ''), coalesce(r.factor_set_id, ''), r.gwp_set_id,
                    coalesce(r.co2e_kg, 0), coalesce(r.gas_kg, '{}'::jsonb), coalesce(r.reason, '')
             from calculation_results r join entities e on e.id = r.entity_id
             where r.run_id = $1 and r.activity_id > $2 order by r.activity_id limit $3`,
      values: [runId, after, BATCH],
      rowMode: 'array',
    });
    if (r.rows.length === 0) break;
    const rows = r.rows.map((c: unknown[]) => ({
      run_id: c[0], org_id: c[1], activity_id: c[2], entity_id: c[3], ownership_pct: c[4], period_start: c[5], status: c[6], scope: c[7],
      category: c[8], factor_id: c[9], factor_set_id: c[10], gwp_set_id: c[11], co2e_kg: c[12], gas_kg: c[13], reason: c[14],
    }));
    await ch.insert({
      table: 'emission_results',
      values: rows,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: `${runId}:${batchNo}:${after}` },
    });
    total += rows.length;
    after = String(r.rows[r.rows.length - 1]![2]);
    batchNo++;
  }
  return total;
}
