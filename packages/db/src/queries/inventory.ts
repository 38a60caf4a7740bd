import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { CARRIED_CHUNK_NO } from './incremental.ts';
import { classifyResult, RESULT_FACTS_COLUMNS } from './reports.ts';

export interface Inventory {
  runId: string;
  consolidationApproach: string;
  totals: { co2eKg: string; activities: number; calculated: number; unmatched: number; failed: number };
  byScope: { scope: number | null; co2eKg: string }[];
  byScopeCategory: { scope: number | null; category: string; co2eKg: string; activities: number }[];
  byGas: { gas: string; kg: string }[];
  unmatched: { reason: string; activities: number }[];
}

const ScopeCategory = z.object({ scope: z.number().nullable(), category: z.string(), co2eKg: z.string(), activities: z.number() });

/**
 * The inventory of one run, from Postgres. Under equity share each entity's emissions count in
 * proportion to the organisation's ownership; under either control approach they count in full.
 * Sums are exact (numeric), so they do not depend on the order chunks finished in.
 */
export async function runInventory(db: CommonQueryMethods, runId: string, consolidationApproach: string): Promise<Inventory> {
  const weight = consolidationApproach === 'equity_share' ? sql.fragment`e.ownership_pct / 100` : sql.fragment`1`;
  const cats = await db.any(sql.type(ScopeCategory)`
    select r.scope, r.category, trim_scale(sum(r.co2e_kg * ${weight}))::text as "co2eKg", count(*)::int as activities
    from calculation_results r join entities e on e.id = r.entity_id
    where r.run_id = ${runId} and r.status = 'calculated'
    group by r.scope, r.category order by r.scope nulls last, r.category`);
  const counts = await db.one(sql.type(z.object({ activities: z.number(), calculated: z.number(), unmatched: z.number(), failed: z.number(), co2eKg: z.string() }))`
    select count(*)::int as activities,
           count(*) filter (where r.status = 'calculated')::int as calculated,
           count(*) filter (where r.status = 'unmatched')::int as unmatched,
           count(*) filter (where r.status = 'failed')::int as failed,
           trim_scale(coalesce(sum(r.co2e_kg * ${weight}), 0))::text as "co2eKg"
    from calculation_results r join entities e on e.id = r.entity_id where r.run_id = ${runId}`);
  const gases = await db.any(sql.type(z.object({ gas: z.string(), kg: z.string() }))`
    select g.key as gas, trim_scale(sum(g.value::numeric * ${weight}))::text as kg
    from calculation_results r join entities e on e.id = r.entity_id, jsonb_each_text(r.gas_kg) g
    where r.run_id = ${runId} and r.status = 'calculated'
    group by g.key order by g.key`);
  const unmatched = await db.any(sql.type(z.object({ reason: z.string(), activities: z.number() }))`
    select reason, count(*)::int as activities from calculation_results
    where run_id = ${runId} and status <> 'calculated' group by reason order by reason`);

  const scopes = await db.any(sql.type(z.object({ scope: z.number().nullable(), co2eKg: z.string() }))`
    select r.scope, trim_scale(sum(r.co2e_kg * ${weight}))::text as "co2eKg"
    from calculation_results r join entities e on e.id = r.entity_id
    where r.run_id = ${runId} and r.status = 'calculated'
    group by r.scope order by r.scope nulls last`);
  return {
    runId,
    consolidationApproach,
    totals: { co2eKg: counts.co2eKg, activities: counts.activities, calculated: counts.calculated, unmatched: counts.unmatched, failed: counts.failed },
    byScope: scopes.map((x) => ({ ...x })),
    byScopeCategory: cats.map((c) => ({ ...c })),
    byGas: gases.map((g) => ({ ...g })),
    unmatched: unmatched.map((u) => ({ ...u })),
  };
}

export const ResultRow = z.object({
  activityId: z.string(),
  status: z.string(),
  entityId: z.string(),
  periodStart: z.string(),
  activityType: z.string(),
  quantity: z.string(),
  unit: z.string(),
  importId: z.string(),
  lineNo: z.number(),
  factorId: z.string().nullable(),
  factorSetId: z.string().nullable(),
  factorSourceRef: z.string().nullable(),
  scope: z.number().nullable(),
  category: z.string().nullable(),
  unitFrom: z.string().nullable(),
  unitTo: z.string().nullable(),
  unitMultiplier: z.string().nullable(),
  unitAssumption: z.string().nullable(),
  resolution: z.string().nullable(),
  method: z.string().nullable(),
  conversion: z.array(z.record(z.string(), z.unknown())).nullable(),
  co2eVariants: z.record(z.string(), z.string()).nullable(),
  match: z.record(z.string(), z.unknown()).nullable(),
  gwpSetId: z.string(),
  co2eMethod: z.string().nullable(),
  co2eKg: z.string().nullable(),
  gasKg: z.record(z.string(), z.string()).nullable(),
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  /** Carried forward unchanged from the incremental run's base run. */
  carried: z.boolean(),
  /** Why an incremental run calculated this activity again (null in a full run or when carried). */
  changeReason: z.string().nullable(),
});

/** What a calculated row's rating is made of (see classifyResult); null facts for rows not calculated. */
const ResultRowFacts = ResultRow.extend({
  factorKind: z.string().nullable(),
  hasPriceBasis: z.boolean().nullable(),
  factorUnit: z.string().nullable(),
  factorRegion: z.string().nullable(),
  factorYear: z.number().nullable(),
  activityRegion: z.string().nullable(),
  activityYear: z.number(),
  matchMethod: z.string(),
});

export type ResultRow = z.infer<typeof ResultRow> & {
  /** Calculated rows: how the factor relates to the activity and the row's data-quality rating (1 very good ... 5 very poor), as the report weighs it. */
  dataQuality: { calculationMethod: string; technological: number; geographical: number; temporal: number } | null;
};

/** Result rows with their lineage, keyset-paginated by activity id. */
export async function runResults(db: CommonQueryMethods, runId: string, afterActivityId: string | null, limit: number): Promise<readonly ResultRow[]> {
  const rows = await db.any(sql.type(ResultRowFacts)`
    select r.activity_id as "activityId", r.status, r.entity_id as "entityId", r.period_start as "periodStart",
           a.activity_type as "activityType", a.quantity, a.unit, a.import_id as "importId", a.line_no as "lineNo",
           r.factor_id as "factorId", r.factor_set_id as "factorSetId", r.factor_source_ref as "factorSourceRef", r.scope, r.category,
           r.unit_from as "unitFrom", r.unit_to as "unitTo", r.unit_multiplier as "unitMultiplier", r.unit_assumption as "unitAssumption",
           r.resolution, r.method, r.conversion, r.co2e_variants as "co2eVariants", r.match, r.gwp_set_id as "gwpSetId", r.co2e_method as "co2eMethod", r.co2e_kg as "co2eKg", r.gas_kg as "gasKg", r.reason, r.detail,
           r.chunk_no = ${CARRIED_CHUNK_NO} as carried, ch.reason as "changeReason", ${RESULT_FACTS_COLUMNS}
    from calculation_results r join activities a on a.id = r.activity_id join entities e on e.id = r.entity_id
    left join emission_factors f on f.id = r.factor_id
    left join calculation_run_changes ch on ch.run_id = r.run_id and ch.activity_id = r.activity_id
    where r.run_id = ${runId} ${afterActivityId ? sql.fragment`and r.activity_id > ${afterActivityId}` : sql.fragment``}
    order by r.activity_id limit ${limit}`);
  return rows.map(({ factorKind, hasPriceBasis, factorUnit, factorRegion, factorYear, activityRegion, activityYear, matchMethod, ...r }) => ({
    ...r,
    dataQuality:
      r.status === 'calculated' && factorUnit !== null && factorRegion !== null && factorYear !== null
        ? classifyResult({ factorKind, hasPriceBasis: hasPriceBasis ?? false, factorUnit, factorRegion, factorYear, activityRegion, activityYear, matchMethod })
        : null,
  }));
}

export interface MethodTotals {
  /** CO2e by how each row's factor was chosen: named by the row (`direct`) or matched by rule, code or text. */
  byMatchMethod: { method: string; activities: number; co2eKg: string; share: string | null }[];
  /** What the inventory's air travel figure includes, and the figure under each variant. */
  airTravel: { radiativeForcing: 'with' | 'without'; activities: number; reportedCo2eKg: string; withRfCo2eKg: string; withoutRfCo2eKg: string } | null;
}

/**
 * Totals of methods whose source publishes variants (air travel with and without radiative
 * forcing), consolidated like the inventory, so the report states which variant it counts and
 * what the other would give.
 */
export async function runMethodTotals(db: CommonQueryMethods, runId: string, consolidationApproach: string, radiativeForcing: 'with' | 'without'): Promise<MethodTotals> {
  const weight = consolidationApproach === 'equity_share' ? sql.fragment`e.ownership_pct / 100` : sql.fragment`1`;
  const air = await db.one(sql.type(z.object({ activities: z.number(), reported: z.string(), withRf: z.string(), withoutRf: z.string() }))`
    select count(*)::int as activities,
           trim_scale(coalesce(sum(r.co2e_kg * ${weight}), 0))::text as reported,
           trim_scale(coalesce(sum(coalesce((r.co2e_variants ->> 'with_rf')::numeric, r.co2e_kg) * ${weight}), 0))::text as "withRf",
           trim_scale(coalesce(sum(coalesce((r.co2e_variants ->> 'without_rf')::numeric, r.co2e_kg) * ${weight}), 0))::text as "withoutRf"
    from calculation_results r join entities e on e.id = r.entity_id
    where r.run_id = ${runId} and r.status = 'calculated' and r.method = 'air-travel'`);
  const byMatch = await db.any(sql.type(z.object({ method: z.string(), activities: z.number(), co2eKg: z.string(), share: z.string().nullable() }))`
    select method, activities, co2e::text as "co2eKg",
           case when sum(co2e) over () > 0 then trim_scale(round(co2e / sum(co2e) over (), 6))::text end as share
    from (select coalesce(r.match ->> 'method', 'direct') as method, count(*)::int as activities, trim_scale(sum(r.co2e_kg * ${weight})) as co2e
          from calculation_results r join entities e on e.id = r.entity_id
          where r.run_id = ${runId} and r.status = 'calculated' group by 1) m
    order by method`);
  return {
    byMatchMethod: byMatch.map((m) => ({ ...m })),
    airTravel: air.activities === 0 ? null : { radiativeForcing, activities: air.activities, reportedCo2eKg: air.reported, withRfCo2eKg: air.withRf, withoutRfCo2eKg: air.withoutRf },
  };
}
