import type { MappingRule } from '@tally/core';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const MappingRuleRow = z.object({
  id: z.string(),
  kind: z.enum(['exact', 'contains', 'regex']),
  field: z.enum(['description', 'supplier', 'account', 'category']),
  pattern: z.string(),
  key: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
});
export type MappingRuleRow = z.infer<typeof MappingRuleRow>;

const ruleColumns = sql.fragment`id, kind, field, pattern, factor_key as key, created_by as "createdBy", created_at as "createdAt", retired_at as "retiredAt"`;

/**
 * Adds a rule, retiring a live rule on the same (kind, field, pattern) in the same transaction:
 * the newest confirmation wins and the old one stays for the lineage of earlier results.
 */
export async function createMappingRule(db: DatabasePool, orgId: string, rule: Omit<MappingRule, 'id'>): Promise<MappingRuleRow> {
  return db.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      update mapping_rules set retired_at = now()
      where org_id = ${orgId} and kind = ${rule.kind} and field = ${rule.field} and lower(pattern) = lower(${rule.pattern}) and retired_at is null`);
    return tx.one(sql.type(MappingRuleRow)`
      insert into mapping_rules (org_id, kind, field, pattern, factor_key, created_by)
      values (${orgId}, ${rule.kind}, ${rule.field}, ${rule.pattern}, ${rule.key}, ${rule.createdBy})
      returning ${ruleColumns}`);
  });
}

export async function listMappingRules(db: CommonQueryMethods, orgId: string, includeRetired = false): Promise<readonly MappingRuleRow[]> {
  return db.any(sql.type(MappingRuleRow)`
    select ${ruleColumns} from mapping_rules
    where org_id = ${orgId} ${includeRetired ? sql.fragment`` : sql.fragment`and retired_at is null`} order by created_at, id`);
}

/** The live rules in the engine's form. */
export async function liveMappingRules(db: CommonQueryMethods, orgId: string): Promise<MappingRule[]> {
  return (await listMappingRules(db, orgId)).map(({ id, kind, field, pattern, key, createdBy }) => ({ id, kind, field, pattern, key, createdBy }));
}

export async function retireMappingRule(db: CommonQueryMethods, orgId: string, ruleId: string): Promise<boolean> {
  const r = await db.query(sql.unsafe`update mapping_rules set retired_at = now() where org_id = ${orgId} and id = ${ruleId} and retired_at is null`);
  return r.rowCount === 1;
}

export const ReviewGroup = z.object({
  text: z.string(),
  reason: z.string(),
  rows: z.number(),
  /** Spend of the group per currency (rows whose unit is a currency), as decimal strings. */
  spend: z.record(z.string(), z.string()),
  /** The group's share of the run's spend in the group's main currency, 0-1, 6 decimals. */
  spendShare: z.string().nullable(),
  proposal: z.record(z.string(), z.unknown()).nullable(),
  exampleActivityId: z.string(),
});
export type ReviewGroup = z.infer<typeof ReviewGroup>;

/**
 * Rows of a run held for review (below the threshold) or left without a match, grouped by their
 * normalised text, largest groups first, with the engine's proposal for the group.
 */
export async function reviewGroups(db: CommonQueryMethods, runId: string, limit: number): Promise<readonly ReviewGroup[]> {
  return db.any(sql.type(ReviewGroup)`
    with held as (
      select lower(regexp_replace(trim(coalesce(a.description, '')), '\\s+', ' ', 'g')) as text, r.reason, a.quantity, a.unit, r.match, a.id
      from calculation_results r join activities a on a.id = r.activity_id
      where r.run_id = ${runId} and r.reason in ('NEEDS_REVIEW', 'NO_MATCH')
    ),
    totals as (
      select a.unit, sum(a.quantity) as total from calculation_results r join activities a on a.id = r.activity_id
      where r.run_id = ${runId} and a.unit ~ '^[A-Z]{3}$' group by a.unit
    ),
    groups as (
      select text, min(reason) as reason, count(*)::int as rows, min(id)::text as "exampleActivityId",
             (array_agg(match order by id))[1] as proposal,
             coalesce((select jsonb_object_agg(unit, s) from (select h2.unit, trim_scale(sum(h2.quantity))::text as s from held h2 where h2.text = h.text and h2.unit ~ '^[A-Z]{3}$' group by h2.unit) x), '{}') as spend,
             (select h3.unit from held h3 where h3.text = h.text and h3.unit ~ '^[A-Z]{3}$' group by h3.unit order by sum(h3.quantity) desc limit 1) as main_currency
      from held h group by text
    )
    select g.text, g.reason, g.rows, g.spend, g."exampleActivityId", g.proposal,
           case when t.total > 0 then trim_scale(round((g.spend ->> g.main_currency)::numeric / t.total, 6))::text end as "spendShare"
    from groups g left join totals t on t.unit = g.main_currency
    order by g.rows desc, g.text limit ${limit}`);
}
