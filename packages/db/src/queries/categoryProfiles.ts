import { createHash } from 'node:crypto';
import { categoryProfileContent, categoryProfileOf, lendsWords, textKey, type CategoryProfile } from '@tally/core';
import type pg from 'pg';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/**
 * Takes the run's snapshot of its organisation's categories (run_category_profiles) inside
 * planRun's transaction: the profile of each category that has at least two distinct descriptions
 * among the activities the run covers. Spellings of one category ("PIPE", "Pipe") are one category
 * (textKey, as rules and review groups read them): they share one profile, built from all their
 * lines, stored under each spelling so that a row finds it by its own. Returns how many categories
 * have one.
 */
export async function storeCategoryProfiles(c: pg.ClientBase, run: { id: string; org_id: string; period_start: string; period_end: string }): Promise<number> {
  const categories = await c.query<{ category: string; descriptions: string[] }>(
    `select category, array_agg(distinct description) as descriptions
     from activities
     where org_id = $1 and period_start between $2 and $3 and category is not null and description is not null
     group by category`,
    [run.org_id, run.period_start, run.period_end],
  );
  const spellings = Map.groupBy(categories.rows, (r) => textKey(r.category));
  const rows = [...spellings.values()].flatMap((same) => {
    const profile = categoryProfileOf(same.flatMap((r) => r.descriptions));
    if (!lendsWords(profile)) return [];
    const digest = profileDigest(profile);
    return same.map(({ category }) => ({ run_id: run.id, category, digest, descriptions: profile.descriptions, terms: profile.terms }));
  });
  if (rows.length > 0) {
    await c.query(
      `insert into run_category_profiles (run_id, category, digest, descriptions, terms)
       select run_id, category, digest, descriptions, terms from jsonb_to_recordset($1::jsonb) as x(run_id uuid, category text, digest text, descriptions integer, terms jsonb)
       on conflict (run_id, category) do nothing`,
      [JSON.stringify(rows)],
    );
  }
  return new Set(rows.map((r) => textKey(r.category))).size;
}

/** What an incremental run compares: the md5 of the profile's canonical content. */
export function profileDigest(p: CategoryProfile): string {
  return createHash('md5').update(categoryProfileContent(p)).digest('hex');
}

export const RunCategoryProfile = z.object({
  category: z.string(),
  digest: z.string(),
  descriptions: z.number(),
  terms: z.array(z.object({ term: z.string(), count: z.number() })),
});
export type RunCategoryProfile = z.infer<typeof RunCategoryProfile>;

/** A run's category profiles, by category. */
export async function runCategoryProfiles(db: CommonQueryMethods, runId: string): Promise<readonly RunCategoryProfile[]> {
  return db.any(sql.type(RunCategoryProfile)`select category, digest, descriptions, terms from run_category_profiles where run_id = ${runId} order by category`);
}

/** The same, as the matcher takes them (MatchQuery.categoryProfile). */
export async function runCategoryProfileMap(db: CommonQueryMethods, runId: string): Promise<Map<string, CategoryProfile>> {
  return new Map((await runCategoryProfiles(db, runId)).map((r) => [r.category, { descriptions: r.descriptions, terms: r.terms }]));
}
