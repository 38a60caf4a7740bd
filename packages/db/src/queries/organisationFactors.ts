import { createHash } from 'node:crypto';
import { activityKeysOfTarget, canonicalJson, FACTOR_SERIES_RE, organisationFactorsOfSet, type OrganisationFactorDraft } from '@tally/core';
import type pg from 'pg';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { inPgTransaction } from '../pgExec.ts';
import { copyFactors, factorSetColumns, FactorSetRow, visibleFactorSets } from './factors.ts';

export interface StoredOrganisationFactorSet {
  id: string;
  series: string;
  version: number;
  supersedes: string | null;
  /** false: the content equals the series' current version, which is returned. */
  created: boolean;
  factorCount: number;
}

/** A set's id: readable, unique per organisation, series and version, and without ':' (factor ids are `set:n`). */
export function organisationFactorSetId(orgId: string, series: string, version: number): string {
  return `org-${orgId.replace(/-/g, '').slice(0, 12)}-${series}-v${version}`;
}

/**
 * The checksum_sha256 of an organisation set. It covers the organisation, series and version as
 * well as the content, so the column stays unique when two organisations upload the same factors
 * and when a series returns to earlier content (v3 = v1) or another series holds the same factors.
 */
export function organisationFactorSetChecksum(orgId: string, series: string, version: number, factors: readonly OrganisationFactorDraft[]): string {
  return createHash('sha256').update(`tally-organisation-factor-set\n${orgId}\n${series}\n${version}\n${canonicalJson(factors)}`).digest('hex');
}

/**
 * Stores an organisation's factors as the next version of a series (version = max + 1, superseding
 * the latest). Content identical to the series' current, unretired version is a no-op returning it.
 * Earlier versions are never modified.
 */
export async function storeOrganisationFactorSet(
  pool: pg.Pool,
  input: { orgId: string; series: string; description?: string | null | undefined; factors: readonly OrganisationFactorDraft[] },
): Promise<StoredOrganisationFactorSet> {
  const { orgId, series } = input;
  if (!FACTOR_SERIES_RE.test(series)) throw new Error(`bad factor set series name "${series}"`);
  if (input.factors.length === 0) throw new Error('a factor set needs at least one factor');
  return inPgTransaction(pool, async (c) => {
    await c.query(`select pg_advisory_xact_lock(hashtext('org_factor_set:' || $1 || ':' || $2))`, [orgId, series]);
    const latest = (
      await c.query<{ id: string; version: number; supersedes: string | null; checksum_sha256: string; factor_count: number; retired_at: string | null }>(
        `select id, version, supersedes, checksum_sha256, factor_count, retired_at from factor_sets
         where org_id = $1 and series = $2 order by version desc limit 1`,
        [orgId, series],
      )
    ).rows[0];
    if (latest && latest.retired_at === null && latest.checksum_sha256 === organisationFactorSetChecksum(orgId, series, latest.version, input.factors)) {
      return { id: latest.id, series, version: latest.version, supersedes: latest.supersedes, created: false, factorCount: latest.factor_count };
    }
    const version = (latest?.version ?? 0) + 1;
    const id = organisationFactorSetId(orgId, series, version);
    const factors = organisationFactorsOfSet(id, input.factors);
    const only = <T>(values: T[]): T | null => (new Set(values).size === 1 ? (values[0] ?? null) : null);
    await c.query(
      `insert into factor_sets (id, source, edition, publication_year, licence, region, gwp_basis, file_name, checksum_sha256, factor_count,
                                org_id, series, version, supersedes, description)
       values ($1, 'Organisation-provided factors', $2, extract(year from now())::int, 'proprietary', $3, $4, 'api upload', $5, $6, $7, $8, $9, $10, $11)`,
      [
        id, `v${version}`, only(factors.map((f) => f.region)) ?? 'GLOBAL', only(factors.map((f) => f.gwpBasis)),
        organisationFactorSetChecksum(orgId, series, version, input.factors), factors.length, orgId, series, version, latest?.id ?? null, input.description ?? null,
      ],
    );
    await copyFactors(c, factors);
    return { id, series, version, supersedes: latest?.id ?? null, created: true, factorCount: factors.length };
  });
}

/** Every version of every series of one organisation, retired ones included. */
export async function listOrganisationFactorSets(db: CommonQueryMethods, orgId: string): Promise<readonly FactorSetRow[]> {
  return db.any(sql.type(FactorSetRow)`select ${factorSetColumns} from factor_sets where org_id = ${orgId}::uuid order by series, version`);
}

/** One of the organisation's own sets (never a published one or another organisation's). */
export async function findOrganisationFactorSet(db: CommonQueryMethods, orgId: string, setId: string): Promise<FactorSetRow | null> {
  return db.maybeOne(sql.type(FactorSetRow)`select ${factorSetColumns} from factor_sets where id = ${setId} and org_id = ${orgId}::uuid`);
}

/**
 * Retires one of the organisation's sets: it stays readable (for audit, and for the results that
 * reference it) but new runs may not use it (factorSetUsableBy).
 */
export async function retireOrganisationFactorSet(db: CommonQueryMethods, orgId: string, setId: string): Promise<'retired' | 'already_retired' | 'not_found'> {
  const retired = await db.query(sql.unsafe`
    update factor_sets set retired_at = now() where id = ${setId} and org_id = ${orgId}::uuid and retired_at is null`);
  if (retired.rowCount > 0) return 'retired';
  return (await findOrganisationFactorSet(db, orgId, setId)) ? 'already_retired' : 'not_found';
}

/**
 * The factor keys, as the matcher and a mapping rule name them (a spend code stands for its price
 * variants), that no live factor set the organisation can use holds (the published ones and its
 * own), in the order given: one query for a whole batch of review decisions.
 */
export async function unusableFactorKeys(db: CommonQueryMethods, keys: readonly string[], orgId: string): Promise<string[]> {
  const pairs = [...new Set(keys)].flatMap((k) => activityKeysOfTarget(k).map((a) => [k, a] as const));
  if (pairs.length === 0) return [];
  const usable = new Set(
    await db.anyFirst(sql.type(z.object({ key: z.string() }))`
      select distinct t.key from unnest(${sql.array(pairs.map((p) => p[0]), 'text')}, ${sql.array(pairs.map((p) => p[1]), 'text')}) as t(key, activity_key)
      where exists (
        select 1 from emission_factors f
        where f.activity_key = t.activity_key and f.factor_set_id in (select id from factor_sets where retired_at is null and ${visibleFactorSets(orgId)}))`),
  );
  return keys.filter((k) => !usable.has(k));
}

/** Whether an organisation may use a set in a new run: a published set, or its own, and not retired. */
export async function factorSetUsableBy(db: CommonQueryMethods, setId: string, orgId: string): Promise<boolean> {
  return db.exists(sql.unsafe`
    select 1 from factor_sets where id = ${setId} and retired_at is null and ${visibleFactorSets(orgId)}`);
}
