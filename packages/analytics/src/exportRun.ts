import type { ClickHouseClient } from '@clickhouse/client';
import { classifyResult, spendCurrency, type Db } from '@tally/db';
import { tsvRows } from './tsv.ts';

const BATCH = 50_000;
/** The shape of the exported row: part of each batch's deduplication token, so a run copied before a schema change can be copied again. */
export const EXPORT_VERSION = 4;

interface EntityNode {
  code: string;
  parentId: string | null;
  kind: string;
}

/** Each entity's codes from the root of its tree down to itself, its parent's code and its nearest legal entity (itself included). */
function entityPaths(entities: Map<string, EntityNode>): Map<string, { path: string[]; parent: string; legalEntity: string }> {
  const out = new Map<string, { path: string[]; parent: string; legalEntity: string }>();
  for (const [id, e] of entities) {
    const chain: EntityNode[] = [];
    const seen = new Set<string>();
    for (let cur: string | null = id; cur !== null && !seen.has(cur); ) {
      seen.add(cur);
      const node = entities.get(cur);
      if (!node) break;
      chain.push(node);
      cur = node.parentId;
    }
    out.set(id, {
      path: chain.map((n) => n.code).reverse(),
      parent: e.parentId ? (entities.get(e.parentId)?.code ?? '') : '',
      legalEntity: chain.find((n) => n.kind === 'legal_entity')?.code ?? '',
    });
  }
  return out;
}

/**
 * A result row as the export reads it (pg's types: bigint, numeric and date as strings); the
 * factor's columns are null for a result without a factor.
 */
interface ExportedResult {
  run_id: string;
  org_id: string;
  activity_id: string;
  entity_id: string;
  ownership_pct: string;
  period_start: string;
  status: string;
  scope: number | null;
  category: string;
  factor_id: string;
  factor_set_id: string;
  gwp_set_id: string;
  co2e_kg: string;
  gas_kg: Record<string, string>;
  reason: string;
  country: string;
  factor_source: string;
  factor_edition: string;
  match_method: string;
  factor_kind: string | null;
  has_price_basis: boolean;
  factor_unit: string | null;
  factor_region: string | null;
  factor_year: number | null;
  activity_region: string | null;
  activity_year: number;
  unit: string;
  quantity: string;
  amount: string | null;
  currency: string | null;
  unit_from: string | null;
  unit_to: string | null;
  unit_multiplier: string | null;
  factor_key: string | null;
  match_rule_id: string | null;
  method: string | null;
  co2e_method: string | null;
  co2e_variants: Record<string, unknown> | null;
  activity_type: string | null;
  line_no: number | null;
  supplier: string;
}

/** What every batch of one run's export needs: its organisation and entity tree. */
interface RunExport {
  runId: string;
  orgId: string;
  paths: ReturnType<typeof entityPaths>;
}

async function runExport(db: Db, runId: string): Promise<RunExport | null> {
  const orgId = (await db.pg.query<{ org_id: string }>('select org_id from calculation_runs where id = $1', [runId])).rows[0]?.org_id;
  if (!orgId) return null; // no such run: nothing to copy
  const ents = await db.pg.query<{ id: string; code: string; parent_id: string | null; kind: string }>(`select id, code, parent_id, kind from entities where org_id = $1`, [orgId]);
  return { runId, orgId, paths: entityPaths(new Map(ents.rows.map((e) => [e.id, { code: e.code, parentId: e.parent_id, kind: e.kind }]))) };
}

/**
 * Copies one chunk's results (chunk -1: the rows an incremental run carried forward) from Postgres
 * to ClickHouse in activity-id batches, with the report dimensions (entity tree, country, factor
 * source, calculation method, data-quality rating, spend). Safe to repeat: each batch carries a
 * deterministic deduplication token (run, chunk, first activity), which the rollups honour too,
 * and the table replaces rows on their full key.
 */
async function exportChunk(db: Db, ch: ClickHouseClient, run: RunExport, chunkNo: number): Promise<number> {
  const { runId, paths } = run;
  // The chunk's activity range, so a batch reads the run's primary key from there (carried rows have none).
  const range = (await db.pg.query<{ first: string; last: string }>('select first_activity_id as first, last_activity_id as last from calculation_chunks where run_id = $1 and chunk_no = $2', [runId, chunkNo])).rows[0];
  let after = range ? String(BigInt(range.first) - 1n) : '0';
  const last = range?.last ?? '9223372036854775807';
  let total = 0;
  for (;;) {
    const r = await db.pg.query<ExportedResult>(
      `select r.run_id, r.org_id, r.activity_id, r.entity_id, e.ownership_pct, r.period_start, r.status, r.scope,
              coalesce(r.category, '') as category, coalesce(r.factor_id, '') as factor_id, coalesce(r.factor_set_id, '') as factor_set_id, r.gwp_set_id,
              coalesce(r.co2e_kg, 0) as co2e_kg, coalesce(r.gas_kg, '{}'::jsonb) as gas_kg, coalesce(r.reason, '') as reason,
              e.country, coalesce(fs.source, '') as factor_source, coalesce(fs.edition, '') as factor_edition, coalesce(r.match ->> 'method', 'direct') as match_method,
              f.kind as factor_kind, f.price_basis is not null as has_price_basis, f.unit as factor_unit, f.region as factor_region, f.year as factor_year,
              upper(coalesce(a.attributes ->> 'location', e.country)) as activity_region, extract(year from r.period_start)::int as activity_year,
              a.unit, a.quantity, a.amount, a.currency, r.unit_from, r.unit_to, r.unit_multiplier::text as unit_multiplier, f.activity_key as factor_key,
              r.match -> 'evidence' ->> 'ruleId' as match_rule_id, r.method, r.co2e_method, r.co2e_variants, a.activity_type, a.line_no,
              coalesce(a.supplier, '') as supplier
       from calculation_results r join entities e on e.id = r.entity_id join activities a on a.id = r.activity_id
            left join emission_factors f on f.id = r.factor_id left join factor_sets fs on fs.id = r.factor_set_id
       where r.run_id = $1 and r.chunk_no = $4 and r.activity_id > $2 and r.activity_id <= $5 order by r.activity_id limit $3`,
      [runId, after, BATCH, chunkNo, last],
    );
    if (r.rows.length === 0) break;
    const rows = r.rows.map((c) => {
      const entity = paths.get(c.entity_id);
      // a calculated row has a factor; the left join's nulls only say so
      const q =
        c.status === 'calculated' && c.factor_unit !== null && c.factor_region !== null && c.factor_year !== null
          ? classifyResult({
              factorKind: c.factor_kind, hasPriceBasis: c.has_price_basis, factorUnit: c.factor_unit, factorRegion: c.factor_region, factorYear: c.factor_year,
              activityRegion: c.activity_region, activityYear: c.activity_year, matchMethod: c.match_method,
            })
          : null;
      const currency = spendCurrency(c.unit);
      return {
        run_id: c.run_id, org_id: c.org_id, activity_id: c.activity_id, entity_id: c.entity_id, ownership_pct: c.ownership_pct, period_start: c.period_start, status: c.status, scope: c.scope,
        category: c.category, factor_id: c.factor_id, factor_set_id: c.factor_set_id, gwp_set_id: c.gwp_set_id, co2e_kg: c.co2e_kg, gas_kg: c.gas_kg, reason: c.reason,
        export_version: EXPORT_VERSION,
        entity_code: entity?.path.at(-1) ?? '', entity_path: entity?.path ?? [], parent_code: entity?.parent ?? '', legal_entity_code: entity?.legalEntity ?? '',
        country: c.country, factor_source: c.factor_source, factor_edition: c.factor_edition, match_method: c.match_method,
        calculation_method: q?.calculationMethod ?? '', dq_technological: q?.technological ?? 0, dq_geographical: q?.geographical ?? 0, dq_temporal: q?.temporal ?? 0,
        spend_currency: currency ?? '', spend_amount: currency ? c.quantity : '0',
        // run diff lineage (db/clickhouse/004_run_diff.sql)
        activity_quantity: c.quantity ?? '', activity_unit: c.unit ?? '', activity_amount: c.amount ?? '', activity_currency: c.currency ?? '',
        unit_from: c.unit_from ?? '', unit_to: c.unit_to ?? '', unit_multiplier: c.unit_multiplier ?? '', factor_key: c.factor_key ?? '', match_rule_id: c.match_rule_id ?? '',
        calc_method: c.method ?? '', co2e_method: c.co2e_method ?? '', co2e_variants: c.co2e_variants ?? {}, activity_type: c.activity_type ?? '', line_no: c.line_no ?? 0,
        // market-based Scope 2 (db/clickhouse/003_scope2_market_based.sql)
        activity_region: c.activity_region ?? '', supplier: c.supplier, quantity: c.quantity, quantity_unit: c.unit,
        chunk_no: chunkNo,
      };
    });
    await ch.insert({
      table: 'emission_results',
      values: rows,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: `${runId}:v${EXPORT_VERSION}:c${chunkNo}:${after}` },
    });
    total += rows.length;
    after = String(r.rows[r.rows.length - 1]!.activity_id);
  }
  return total;
}

/**
 * Copies a chunk to the analytics store as soon as its results are committed, so a run's copy
 * grows with the run and finalisation has little left to do. Returns the rows copied.
 */
export async function exportChunkToAnalytics(db: Db, ch: ClickHouseClient, runId: string, chunkNo: number): Promise<number> {
  const run = await runExport(db, runId);
  return run ? exportChunk(db, ch, run, chunkNo) : 0;
}

/**
 * Completes a run's analytics copy and marks it (finalisation): every chunk whose rows the copy
 * does not hold in full is copied again (a chunk whose own export failed, the rows an incremental
 * run carried forward, a run copied before per-chunk export), then the completion marker records
 * the run's row count. Safe to repeat. Returns the run's rows and the rows copied now.
 */
export async function exportRunToAnalytics(db: Db, ch: ClickHouseClient, runId: string): Promise<{ rows: number; copied: number }> {
  const run = await runExport(db, runId);
  if (!run) return { rows: 0, copied: 0 };
  const inPg = (await db.pg.query<{ chunk_no: number; n: string }>('select chunk_no, count(*) as n from calculation_result_rows where run_id = $1 group by chunk_no order by chunk_no', [runId])).rows;
  const counted = await tsvRows(
    ch,
    `SELECT chunk_no, count() AS n FROM emission_results WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND export_version = {version:UInt8} GROUP BY chunk_no`,
    { org: run.orgId, run: runId, version: EXPORT_VERSION },
  );
  const inCh = new Map(counted.map(([chunkNo, n]) => [Number(chunkNo), Number(n)]));
  let rows = 0;
  let copied = 0;
  for (const { chunk_no: chunkNo, n } of inPg) {
    rows += Number(n);
    if ((inCh.get(chunkNo) ?? 0) < Number(n)) copied += await exportChunk(db, ch, run, chunkNo);
  }
  await recordRunExport(ch, run.orgId, runId, rows);
  return { rows, copied };
}

/**
 * Marks a run's copy complete (db/clickhouse/006_run_exports.sql): rows is the run's row count in
 * Postgres, which the report compares with the rollup's count before trusting it.
 */
export async function recordRunExport(ch: ClickHouseClient, orgId: string, runId: string, rows: number): Promise<void> {
  await ch.insert({
    table: 'run_exports',
    values: [{ org_id: orgId, run_id: runId, export_version: EXPORT_VERSION, rows }],
    format: 'JSONEachRow',
    // Never dropped as a duplicate of an earlier export's marker.
    clickhouse_settings: { insert_deduplicate: 0 },
  });
}
