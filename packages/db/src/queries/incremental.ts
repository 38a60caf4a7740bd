import type pg from 'pg';
import { canonicalJson, CATEGORY_MAX_LEAD, MATCHER_VERSION } from '@tally/core';
import { z } from 'zod';

/** Why an activity of an incremental run is calculated again instead of carried forward. */
export const CHANGE_REASONS = ['new_activity', 'previously_unresolved', 'factor_sets_changed', 'matcher_changed', 'category_changed', 'mappings_changed', 'economics_changed'] as const;
export type ChangeReason = (typeof CHANGE_REASONS)[number];

export const IncrementalSummary = z.object({
  baseRunId: z.string(),
  /** 'full': nothing could be carried (fullReason says why); 'incremental': see the counts. */
  mode: z.enum(['incremental', 'full']),
  fullReason: z.string().nullable(),
  carried: z.number(),
  recalculated: z.number(),
  reasons: z.record(z.string(), z.number()),
});
export type IncrementalSummary = z.infer<typeof IncrementalSummary>;

/** The base run cannot serve: wrong organisation or period, or not complete. */
export class IncrementalBaseError extends Error {
  override name = 'IncrementalBaseError';
}

/** Result rows carried forward keep this chunk number: no chunk of the run ever writes them. */
export const CARRIED_CHUNK_NO = -1;

interface RunForPlan {
  id: string;
  org_id: string;
  period_start: string;
  period_end: string;
  factor_set_ids: string[];
  gwp_set_id: string;
  options: unknown;
  base_run_id: string;
}

/**
 * For each set that both runs use: the sets the new run ranks before it that the base run did not.
 * A factor of such a set for the same activity key may now win over the one the base run used.
 * Sets are immutable (an edition is a new set), so with the same list in the same order nothing
 * about factor resolution changed.
 */
export function newlyAheadSets(baseSets: readonly string[], newSets: readonly string[]): { s: string; t: string }[] {
  const pairs: { s: string; t: string }[] = [];
  newSets.forEach((s, i) => {
    const j = baseSets.indexOf(s);
    if (j < 0) return;
    const before = new Set(baseSets.slice(0, j));
    for (const t of newSets.slice(0, i)) if (!before.has(t)) pairs.push({ s, t });
  });
  return pairs;
}

/**
 * Plans an incremental run inside planRun's transaction: decides per activity of the run's
 * organisation and period whether the base run's result still holds, records every activity to
 * recalculate with its reason (calculation_run_changes), copies every other result row and the
 * lineages they name into the new run (chunk number CARRIED_CHUNK_NO), and stores the summary on
 * the run. Conservative by design: any change that could alter a result recalculates it.
 * - new_activity: no result in the base run (imported since);
 * - previously_unresolved: the base result was unmatched, failed or held for review;
 * - factor_sets_changed: its factor's set is no longer used, a set now ranked before it has a
 *   factor for the same activity key, or it was matched by text while the set list changed
 *   (the match targets are every factor of the sets);
 * - matcher_changed: it was matched by text and the base run was planned with another matcher
 *   version (MATCHER_VERSION in @tally/core), or before versions were recorded;
 * - category_changed: it was matched by text with a lead close enough to consult its category
 *   (CATEGORY_MAX_LEAD in @tally/core), and its category's profile (run_category_profiles, which
 *   planRun stores before this runs) differs from the base run's, or one of the two has none;
 * - mappings_changed: it was matched by text or rule and the organisation's rules changed since;
 * - economics_changed: it was converted from spend and exchange rates or price indices changed.
 * A different GWP set or run options change every result: the run is then a full one.
 */
export async function planIncremental(c: pg.ClientBase, run: RunForPlan): Promise<IncrementalSummary> {
  const base = (await c.query<{ org_id: string; period_start: string; period_end: string; status: string; factor_set_ids: string[]; gwp_set_id: string; options: unknown; created_at: Date; matcher_version: string | null }>(
    `select org_id, period_start, period_end, status, coalesce(factor_set_ids, array[factor_set_id]) as factor_set_ids, gwp_set_id, options, created_at, matcher_version
     from calculation_runs where id = $1`,
    [run.base_run_id],
  )).rows[0];
  if (!base || base.org_id !== run.org_id) throw new IncrementalBaseError(`base run ${run.base_run_id} is not a run of this organisation`);
  if (base.period_start !== run.period_start || base.period_end !== run.period_end) {
    throw new IncrementalBaseError(`base run ${run.base_run_id} covers ${base.period_start}/${base.period_end}, not ${run.period_start}/${run.period_end}`);
  }
  if (base.status !== 'complete') throw new IncrementalBaseError(`base run ${run.base_run_id} is ${base.status}, not complete`);

  let summary: IncrementalSummary;
  const fullReason = base.gwp_set_id !== run.gwp_set_id ? `GWP set changed (${base.gwp_set_id} to ${run.gwp_set_id})` : canonicalJson(base.options) !== canonicalJson(run.options) ? 'run options changed' : null;
  if (fullReason) {
    summary = { baseRunId: run.base_run_id, mode: 'full', fullReason, carried: 0, recalculated: 0, reasons: {} };
  } else {
    const setsChanged = base.factor_set_ids.join('\u0000') !== run.factor_set_ids.join('\u0000');
    const since = (await c.query<{ rules: boolean; economics: boolean }>(
      `select exists (select 1 from mapping_rules where org_id = $1 and (created_at > $2 or retired_at > $2)) as rules,
              exists (select 1 from exchange_rates where loaded_at > $2) or exists (select 1 from price_indices where loaded_at > $2) as economics`,
      [run.org_id, base.created_at],
    )).rows[0]!;
    const categoriesChanged = (await c.query<{ category: string }>(
      `select coalesce(n.category, b.category) as category
       from (select category, digest from run_category_profiles where run_id = $1) n
       full join (select category, digest from run_category_profiles where run_id = $2) b on b.category = n.category
       where n.digest is distinct from b.digest`,
      [run.id, run.base_run_id],
    )).rows.map((r) => r.category);
    const counted = await c.query<{ reason: ChangeReason; n: string }>(
      `with base as (
         select rr.activity_id, l.status, l.factor_id, l.factor_set_id, l.match, l.conversion
         from calculation_result_rows rr join calculation_lineages l on l.run_id = rr.run_id and l.lineage_id = rr.lineage_id
         where rr.run_id = $2
       ), ahead as (
         select x.s, x.t from jsonb_to_recordset($6::jsonb) as x(s text, t text)
       ), classified as (
         select a.id, case
           when b.activity_id is null then 'new_activity'
           when b.status <> 'calculated' then 'previously_unresolved'
           when $7 and (b.factor_set_id is null or b.factor_set_id <> all($8::text[]) or b.match is not null
                or exists (select 1 from ahead h
                           join emission_factors bf on bf.id = b.factor_id
                           join emission_factors f on f.factor_set_id = h.t and f.activity_key = bf.activity_key
                           where h.s = b.factor_set_id)) then 'factor_sets_changed'
           when $11 and b.match ->> 'method' = 'text' then 'matcher_changed'
           when b.match ->> 'method' = 'text' and a.category = any($12::text[]) and (b.match -> 'evidence' ->> 'margin')::float8 < $13 then 'category_changed'
           when $9 and b.match is not null then 'mappings_changed'
           when $10 and b.conversion is not null then 'economics_changed'
         end as reason
         from activities a left join base b on b.activity_id = a.id
         where a.org_id = $3 and a.period_start between $4 and $5
       ), changed as (
         insert into calculation_run_changes (run_id, activity_id, reason)
         select $1, id, reason from classified where reason is not null
         returning reason
       )
       select reason, count(*) as n from changed group by reason`,
      [run.id, run.base_run_id, run.org_id, run.period_start, run.period_end, JSON.stringify(newlyAheadSets(base.factor_set_ids, run.factor_set_ids)), setsChanged, run.factor_set_ids, since.rules, since.economics, base.matcher_version !== MATCHER_VERSION, categoriesChanged, CATEGORY_MAX_LEAD],
    );
    // Lineages are few per run: copy them all (one that no carried row names is never read).
    const lineageColumns = await columnsOf(c, 'calculation_lineages');
    await c.query(
      `insert into calculation_lineages (${lineageColumns.join(', ')})
       select ${lineageColumns.map((col) => (col === 'run_id' ? '$1::uuid' : `l.${col}`)).join(', ')}
       from calculation_lineages l where l.run_id = $2`,
      [run.id, run.base_run_id],
    );
    const rowColumns = await columnsOf(c, 'calculation_result_rows');
    const carried = await c.query(
      `insert into calculation_result_rows (${rowColumns.join(', ')})
       select ${rowColumns.map((col) => (col === 'run_id' ? '$1::uuid' : col === 'chunk_no' ? `${CARRIED_CHUNK_NO}` : `rr.${col}`)).join(', ')}
       from calculation_result_rows rr
       join activities a on a.id = rr.activity_id and a.org_id = $3 and a.period_start between $4 and $5
       where rr.run_id = $2
         and not exists (select 1 from calculation_run_changes ch where ch.run_id = $1 and ch.activity_id = rr.activity_id)`,
      [run.id, run.base_run_id, run.org_id, run.period_start, run.period_end],
    );
    const reasons = Object.fromEntries(counted.rows.map((r) => [r.reason, Number(r.n)]));
    const recalculated = counted.rows.reduce((s, r) => s + Number(r.n), 0);
    summary = { baseRunId: run.base_run_id, mode: 'incremental', fullReason: null, carried: carried.rowCount ?? 0, recalculated, reasons };
  }
  await c.query(`update calculation_runs set incremental = $2 where id = $1`, [run.id, JSON.stringify(summary)]);
  return summary;
}

/** A table's columns in order (the carry-forward copies rows whole, whatever columns they have). */
async function columnsOf(c: pg.ClientBase, table: string): Promise<string[]> {
  const r = await c.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  );
  if (r.rows.length === 0) throw new Error(`table ${table} not found`);
  return r.rows.map((x) => `"${x.column_name}"`.replace(/^"([a-z_][a-z0-9_]*)"$/, '$1'));
}
