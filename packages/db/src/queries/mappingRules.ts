import { RuleBook, type MappingRule } from '@tally/core';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { toCsv } from '../csv.ts';
import { z } from 'zod';

export const MappingRuleRow = z.object({
  id: z.string(),
  kind: z.enum(['exact', 'contains', 'regex']),
  field: z.enum(['description', 'supplier', 'account', 'category']),
  pattern: z.string(),
  key: z.string(),
  /** Only rows of this category; null: any category. */
  category: z.string().nullable(),
  /** Only rows in this region or a region within it; null: any region. */
  region: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
});
export type MappingRuleRow = z.infer<typeof MappingRuleRow>;

const ruleColumns = sql.fragment`id, kind, field, pattern, factor_key as key, category, region, created_by as "createdBy", created_at as "createdAt", retired_at as "retiredAt"`;

/**
 * Adds rules in one transaction (all or none), each retiring a live rule on the same (kind,
 * field, pattern, category, region): the newest confirmation wins and the old one stays for the lineage of
 * earlier results. In the order given, so of two equal rules in one batch the second stands.
 */
export async function createMappingRules(db: DatabasePool, orgId: string, rules: readonly Omit<MappingRule, 'id'>[]): Promise<MappingRuleRow[]> {
  return db.transaction(async (tx) => {
    // One organisation's decisions one at a time: two reviewers confirming the same text at once
    // would otherwise both find no live rule to retire and collide on the unique index.
    await tx.query(sql.unsafe`select pg_advisory_xact_lock(hashtext('mapping_rules:' || ${orgId}))`);
    const out: MappingRuleRow[] = [];
    for (const rule of rules) {
      await tx.query(sql.unsafe`
        update mapping_rules set retired_at = now()
        where org_id = ${orgId} and kind = ${rule.kind} and field = ${rule.field} and lower(pattern) = lower(${rule.pattern})
          and lower(coalesce(category, '')) = lower(${rule.category ?? ''}) and coalesce(region, '') = ${rule.region?.toUpperCase() ?? ''} and retired_at is null`);
      out.push(
        await tx.one(sql.type(MappingRuleRow)`
          insert into mapping_rules (org_id, kind, field, pattern, factor_key, category, region, created_by)
          values (${orgId}, ${rule.kind}, ${rule.field}, ${rule.pattern}, ${rule.key}, ${rule.category ?? null}, ${rule.region?.toUpperCase() ?? null}, ${rule.createdBy})
          returning ${ruleColumns}`),
      );
    }
    return out;
  });
}

/** Adds one rule (createMappingRules). */
export async function createMappingRule(db: DatabasePool, orgId: string, rule: Omit<MappingRule, 'id'>): Promise<MappingRuleRow> {
  return (await createMappingRules(db, orgId, [rule]))[0]!;
}

export async function listMappingRules(db: CommonQueryMethods, orgId: string, includeRetired = false): Promise<readonly MappingRuleRow[]> {
  return db.any(sql.type(MappingRuleRow)`
    select ${ruleColumns} from mapping_rules
    where org_id = ${orgId} ${includeRetired ? sql.fragment`` : sql.fragment`and retired_at is null`} order by created_at, id`);
}

/** The live rules in the engine's form. */
export async function liveMappingRules(db: CommonQueryMethods, orgId: string): Promise<MappingRule[]> {
  return (await listMappingRules(db, orgId)).map(({ id, kind, field, pattern, key, category, region, createdBy }) => ({ id, kind, field, pattern, key, category, region, createdBy }));
}

export async function retireMappingRule(db: CommonQueryMethods, orgId: string, ruleId: string): Promise<boolean> {
  const r = await db.query(sql.unsafe`update mapping_rules set retired_at = now() where org_id = ${orgId} and id = ${ruleId} and retired_at is null`);
  return r.rowCount === 1;
}

export const ReviewGroup = z.object({
  text: z.string(),
  /**
   * The rows' category, normalised as the text is; null for rows without one. The engine's answer
   * for a text can depend on its category (its name and its profile), so a text held in two
   * categories is two groups, and a decision can hold for one of them (a rule with this category).
   */
  category: z.string().nullable(),
  reason: z.string(),
  rows: z.number(),
  /**
   * Where the group's rows took place (their location, else their entity's country), sorted: a
   * decision holds for its text in every region unless it names one, and the engine may have
   * proposed a factor of one region for rows of another (its preference for the row's region,
   * regionPreference.ts).
   */
  regions: z.array(z.string()),
  /** Spend of the group per currency (rows whose unit is a currency), as decimal strings. */
  spend: z.record(z.string(), z.string()),
  /** The group's share of the run's spend in the group's main currency, 0-1, 6 decimals. */
  spendShare: z.string().nullable(),
  proposal: z.record(z.string(), z.unknown()).nullable(),
  exampleActivityId: z.string(),
});

/**
 * A review group, and the live rule that decides it when one does (set since the run: the next run
 * applies it), as the matcher would pick it for the group's text, category and regions: one rule
 * for all of the group's regions, else null, with the regions some rule decides in
 * `decidedRegions` (a decision for British sites leaves the group's American rows open).
 */
export type ReviewGroup = z.infer<typeof ReviewGroup> & {
  decision: { ruleId: string; key: string; category: string | null; region: string | null; createdBy: string } | null;
  decidedRegions: string[];
};

/**
 * Rows of a run held for review (below the threshold) or left without a match, grouped by their
 * normalised text and category, largest groups first, with the engine's proposal for the group
 * and the live rule that already decides it, if any.
 */
export async function reviewGroups(db: CommonQueryMethods, runId: string, limit: number): Promise<readonly ReviewGroup[]> {
  const orgId = await db.maybeOneFirst(sql.type(z.object({ org_id: z.string() }))`select org_id from calculation_runs where id = ${runId}`);
  if (orgId === null) return [];
  const [groups, rules] = await Promise.all([heldGroups(db, runId, limit), liveMappingRules(db, orgId)]);
  const book = new RuleBook(rules);
  return groups.map((g) => {
    const regions = g.regions.length > 0 ? g.regions : [undefined];
    const rules = regions.map((region) => book.first({ description: g.text, category: g.category, region }));
    const rule = rules.every((r) => r !== undefined && r.id === rules[0]!.id) ? rules[0] : undefined;
    return {
      ...g,
      decision: rule ? { ruleId: rule.id, key: rule.key, category: rule.category ?? null, region: rule.region ?? null, createdBy: rule.createdBy } : null,
      decidedRegions: g.regions.filter((_, i) => rules[i] !== undefined),
    };
  });
}

/** JavaScript's \s as a Postgres regular expression: ASCII whitespace and Unicode's spaces. */
const WHITESPACE = '[\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+';

function heldGroups(db: CommonQueryMethods, runId: string, limit: number) {
  return db.any(sql.type(ReviewGroup)`
    with held as (
      -- textKey (in @tally/core) in SQL: whitespace runs as one space, then trimmed (trim() alone
      -- drops spaces only, so a tab or newline at an end would stay as a space), then lower case.
      -- JavaScript's \s also takes Unicode's spaces (no-break and the like), which Postgres' \s
      -- does not in every locale: they are named. (lower() follows the database's locale: in C,
      -- only ASCII letters; the groups' texts are compared as textKey's in rules either way.)
      select lower(trim(regexp_replace(coalesce(a.description, ''), ${WHITESPACE}, ' ', 'g'))) as text,
             nullif(lower(trim(regexp_replace(coalesce(a.category, ''), ${WHITESPACE}, ' ', 'g'))), '') as category,
             r.reason, a.quantity, a.unit, r.match, a.id,
             -- as the engine and the factor choice read it: the location, else the entity's country, upper case
             upper(coalesce(a.attributes->>'location', e.country)) as region
      from calculation_results r join activities a on a.id = r.activity_id join entities e on e.id = a.entity_id
      where r.run_id = ${runId} and r.reason in ('NEEDS_REVIEW', 'NO_MATCH')
    ),
    totals as (
      select a.unit, sum(a.quantity) as total from calculation_results r join activities a on a.id = r.activity_id
      where r.run_id = ${runId} and a.unit ~ '^[A-Z]{3}$' group by a.unit
    ),
    spend as (
      select text, category, unit, sum(quantity) as s from held where unit ~ '^[A-Z]{3}$' group by text, category, unit
    ),
    groups as (
      select text, category, min(reason) as reason, count(*)::int as rows, min(id)::text as "exampleActivityId",
             array_agg(distinct region order by region) as regions,
             (array_agg(match order by id))[1] as proposal
      from held group by text, category
    )
    select g.text, g.category, g.reason, g.rows, g.regions, g."exampleActivityId", g.proposal,
           coalesce(x.spend, '{}') as spend,
           case when t.total > 0 then trim_scale(round(x.main_spend / t.total, 6))::text end as "spendShare"
    from groups g
    left join lateral (
      select jsonb_object_agg(s.unit, trim_scale(s.s)::text) as spend,
             (array_agg(s.unit order by s.s desc, s.unit))[1] as main_currency,
             max(s.s) as main_spend
      from spend s where s.text = g.text and s.category is not distinct from g.category
    ) x on true
    left join totals t on t.unit = x.main_currency
    order by g.rows desc, g.text, g.category nulls first limit ${limit}`);
}

/** The columns of the review queue as CSV; `key` is left empty for the reviewer to fill and upload back. */
export const REVIEW_CSV_COLUMNS = ['text', 'category', 'reason', 'rows', 'regions', 'spend', 'spend_share', 'proposed_key', 'proposed_title', 'proposed_confidence', 'note', 'decided_key', 'decided_regions', 'for_region', 'key'] as const;

/**
 * The review queue as a spreadsheet: one line per group. A reviewer fills `key` where they decide
 * (the proposed key to confirm it, another to override it) and POSTs the file back as text/csv;
 * lines left without a key stay open. `note` is the engine's own word on the proposal (the phrase
 * it matched, or why there is none: "no spend factor: ... Scope 2 ..."). `decided_key` is the rule
 * that decides every region of the group, `decided_regions` the regions some rule decides;
 * `for_region`, when the reviewer fills it, makes the decision hold for rows in that region only.
 */
export function reviewGroupsCsv(groups: readonly ReviewGroup[]): string {
  const field = (o: Record<string, unknown> | null, k: string) => (o && (typeof o[k] === 'string' || typeof o[k] === 'number') ? (o[k] as string | number) : null);
  return toCsv(
    REVIEW_CSV_COLUMNS,
    groups.map((g) => [
      g.text,
      g.category,
      g.reason,
      g.rows,
      g.regions.join('; '),
      Object.entries(g.spend).map(([currency, amount]) => `${amount} ${currency}`).join('; '),
      g.spendShare,
      field(g.proposal, 'key'),
      field(g.proposal, 'title'),
      field(g.proposal, 'confidence'),
      field(g.proposal && typeof g.proposal.evidence === 'object' ? (g.proposal.evidence as Record<string, unknown>) : null, 'note'),
      g.decision?.key,
      g.decidedRegions.join('; '),
      '',
      '',
    ]),
  );
}
