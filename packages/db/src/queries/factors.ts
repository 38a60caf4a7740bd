import { FACTOR_KINDS, INSTRUMENT_TYPES, type EmissionFactor, type FactorSetMeta, type GwpSet } from '@tally/core';
import type pg from 'pg';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { copyRows } from '../copy.ts';
import { inPgTransaction } from '../pgExec.ts';

/** Upserts GWP sets. A set's values never change once stored: a differing value is an error. */
export async function storeGwpSets(pool: pg.Pool, sets: readonly GwpSet[]): Promise<void> {
  await inPgTransaction(pool, async (c) => {
    for (const s of sets) {
      await c.query(`insert into gwp_sets (id, name, horizon_years, source) values ($1, $2, $3, $4) on conflict (id) do nothing`, [s.id, s.name, s.horizonYears, s.source]);
      const gases = Object.keys(s.values);
      const values = gases.map((g) => s.values[g]);
      await c.query(
        `insert into gwp_values (gwp_set_id, gas, value) select $1, gas, value from unnest($2::text[], $3::numeric[]) as t(gas, value)
         on conflict (gwp_set_id, gas) do nothing`,
        [s.id, gases, values],
      );
      const changed = await c.query<{ gas: string }>(
        `select v.gas from gwp_values v join unnest($2::text[], $3::numeric[]) as t(gas, value) on t.gas = v.gas
         where v.gwp_set_id = $1 and v.value <> t.value`,
        [s.id, gases, values],
      );
      if (changed.rows.length > 0) throw new Error(`GWP set ${s.id} is already stored with other values for ${changed.rows.map((r) => r.gas).join(', ')}`);
    }
  });
}

export async function loadGwpSets(db: CommonQueryMethods, ids?: readonly string[]): Promise<GwpSet[]> {
  const rows = await db.any(sql.type(z.object({ id: z.string(), name: z.string(), horizonYears: z.number(), source: z.string(), values: z.record(z.string(), z.string()) }))`
    select s.id, s.name, s.horizon_years as "horizonYears", s.source,
           coalesce(jsonb_object_agg(v.gas, v.value::text) filter (where v.gas is not null), '{}') as values
    from gwp_sets s left join gwp_values v on v.gwp_set_id = s.id
    ${ids ? sql.fragment`where s.id = any(${sql.array(ids, 'text')})` : sql.fragment``}
    group by s.id order by s.id`);
  return rows.map((r) => ({ ...r }));
}

export interface StoredFactorSet {
  id: string;
  created: boolean;
  factorCount: number;
  /** Factors added to a set already stored, when Tally now reads more of the same publication. */
  added?: number;
}

/**
 * Stores a parsed factor set, idempotently by the source file's checksum: the same file again is
 * a no-op; another file under an existing set id is refused (a published set never changes),
 * unless it holds every factor already stored exactly as stored and only adds others: Tally reading
 * more tables of the same publication. The set then grows by those and takes the new checksum; no
 * stored factor, and so no result that cites one, changes.
 */
export async function storeFactorSet(
  pool: pg.Pool,
  input: { meta: FactorSetMeta; fileName: string; checksum: string; factors: readonly EmissionFactor[]; skipped: readonly unknown[] },
): Promise<StoredFactorSet> {
  return inPgTransaction(pool, async (c) => {
    await c.query(`select pg_advisory_xact_lock(hashtext('factor_set:' || $1))`, [input.meta.id]);
    const existing = await c.query<{ id: string; checksum_sha256: string; factor_count: number }>(
      'select id, checksum_sha256, factor_count from factor_sets where id = $1 or checksum_sha256 = $2',
      [input.meta.id, input.checksum],
    );
    const prior = existing.rows[0];
    if (prior) {
      if (prior.checksum_sha256 === input.checksum && prior.id === input.meta.id) return { id: prior.id, created: false, factorCount: prior.factor_count };
      if (prior.id !== input.meta.id || existing.rows.length > 1) throw new Error(`this file was already imported as factor set ${existing.rows.find((r) => r.id !== input.meta.id)?.id ?? prior.id}`);
      const added = await factorsAdded(c, input.meta.id, input.factors);
      if (typeof added === 'string') {
        throw new Error(`factor set ${input.meta.id} already exists from another file (checksum ${prior.checksum_sha256.slice(0, 12)}…) and ${added}; a published set never changes: import a new edition under a new id`);
      }
      await c.query('update factor_sets set file_name = $2, checksum_sha256 = $3, factor_count = $4, skipped_rows = $5 where id = $1', [
        input.meta.id, input.fileName, input.checksum, input.factors.length, JSON.stringify(input.skipped),
      ]);
      await copyFactors(c, added);
      return { id: input.meta.id, created: false, factorCount: input.factors.length, added: added.length };
    }
    const m = input.meta;
    await c.query(
      `insert into factor_sets (id, source, edition, publication_year, licence, region, gwp_basis, file_name, checksum_sha256, factor_count, skipped_rows)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [m.id, m.source, m.edition, m.publicationYear, m.licence, m.region, m.gwpBasis, input.fileName, input.checksum, input.factors.length, JSON.stringify(input.skipped)],
    );
    await copyFactors(c, input.factors);
    return { id: m.id, created: true, factorCount: input.factors.length };
  });
}

/** A stored factor as it is compared with a re-read one: every column but the set's id, keys in one order. */
const STORED_FACTOR = `select id, jsonb_build_array(activity_key, name, scope, category, region, year, unit, co2e::text, gas_basis, gwp_basis, gases, price_basis, source_ref, source_rows, kind, supplier, instrument)::text as content
  from emission_factors where factor_set_id = $1`;
const factorContent = (f: EmissionFactor): string =>
  JSON.stringify([f.activityKey, f.name, f.scope, f.category, f.region, f.year, f.unit, f.co2e, f.gasBasis, f.gwpBasis, f.gases, f.priceBasis ?? null, f.sourceRef, f.sourceRows, f.kind ?? 'published', f.supplier ?? null, f.instrument ?? null]);

/**
 * The factors of `factors` that set `setId` does not hold yet, when it holds all of its own among
 * them exactly as stored; otherwise what differs, in words. Contents are compared as jsonb, which
 * orders object keys and spells numbers one way whichever side wrote them.
 */
async function factorsAdded(c: pg.ClientBase, setId: string, factors: readonly EmissionFactor[]): Promise<EmissionFactor[] | string> {
  const stored = (await c.query<{ id: string; content: string }>(STORED_FACTOR, [setId])).rows;
  const byId = new Map(factors.map((f) => [f.id, f]));
  const missing = stored.filter((r) => !byId.has(r.id));
  if (missing.length > 0) return `the new file lacks ${missing.length} of its factors (${missing[0]!.id} first)`;
  const reread = (await c.query<{ content: string }>('select content::jsonb::text as content from unnest($1::text[]) with ordinality as t(content, i) order by i', [stored.map((r) => factorContent(byId.get(r.id)!))])).rows;
  const changed = stored.find((r, i) => reread[i]!.content !== r.content);
  if (changed) return `changes its factor ${changed.id}`;
  const have = new Set(stored.map((r) => r.id));
  return factors.filter((f) => !have.has(f.id));
}

/** COPYs factors into emission_factors on the caller's client (inside its transaction). */
export async function copyFactors(client: pg.ClientBase, factors: readonly EmissionFactor[]): Promise<number> {
  return copyRows(
    client,
    'emission_factors',
    ['id', 'factor_set_id', 'activity_key', 'name', 'scope', 'category', 'region', 'year', 'unit', 'co2e', 'gas_basis', 'gwp_basis', 'gases', 'price_basis', 'source_ref', 'source_rows', 'kind', 'supplier', 'instrument'],
    factors.map((f) => [
      f.id, f.factorSetId, f.activityKey, f.name, f.scope, f.category, f.region, f.year, f.unit, f.co2e, f.gasBasis, f.gwpBasis, f.gases, f.priceBasis ?? null, f.sourceRef, f.sourceRows,
      f.kind ?? 'published', f.supplier ?? null, f.instrument ?? null,
    ]),
  );
}

export const FactorSetRow = z.object({
  id: z.string(),
  source: z.string(),
  edition: z.string(),
  publicationYear: z.number(),
  licence: z.string(),
  region: z.string(),
  gwpBasis: z.string().nullable(),
  fileName: z.string(),
  checksumSha256: z.string(),
  factorCount: z.number(),
  importedAt: z.string(),
  /** Organisation sets only (null for published ones): owner, series, version, lineage, retirement. */
  orgId: z.string().nullable(),
  series: z.string().nullable(),
  version: z.number().nullable(),
  supersedes: z.string().nullable(),
  retiredAt: z.string().nullable(),
  description: z.string().nullable(),
});
export type FactorSetRow = z.infer<typeof FactorSetRow>;

export const factorSetColumns = sql.fragment`id, source, edition, publication_year as "publicationYear", licence, region, gwp_basis as "gwpBasis",
  file_name as "fileName", checksum_sha256 as "checksumSha256", factor_count as "factorCount", imported_at as "importedAt",
  org_id as "orgId", series, version, supersedes, retired_at as "retiredAt", description`;

/**
 * The factor sets a viewer may read (a condition on factor_sets): the published ones and its own
 * organisation's. No viewer organisation means the operator, who reads all.
 */
export const visibleFactorSets = (viewerOrgId?: string | null) =>
  viewerOrgId ? sql.fragment`(org_id is null or org_id = ${viewerOrgId}::uuid)` : sql.fragment`true`;

/** Published sets, then organisation sets by organisation, series and version. */
export async function listFactorSets(db: CommonQueryMethods, viewerOrgId?: string | null): Promise<readonly FactorSetRow[]> {
  return db.any(sql.type(FactorSetRow)`
    select ${factorSetColumns} from factor_sets where ${visibleFactorSets(viewerOrgId)}
    order by org_id is not null, org_id, series, version, id`);
}

const FactorRow = z.object({
  id: z.string(),
  factorSetId: z.string(),
  activityKey: z.string(),
  name: z.string(),
  scope: z.union([z.literal(1), z.literal(2), z.literal(3)]).nullable(),
  category: z.string(),
  region: z.string(),
  year: z.number(),
  unit: z.string(),
  co2e: z.string().nullable(),
  gasBasis: z.enum(['co2e', 'mass']),
  gwpBasis: z.string().nullable(),
  gases: z.record(z.string(), z.string()),
  priceBasis: z.object({ currency: z.string(), year: z.number(), price: z.enum(['purchaser', 'producer']) }).nullable().transform((v) => v ?? undefined),
  sourceRef: z.string(),
  sourceRows: z.array(z.object({ line: z.number(), id: z.string().nullable(), ghg: z.string(), value: z.string() })),
  kind: z.enum(FACTOR_KINDS),
  supplier: z.string().nullable().transform((v) => v ?? undefined),
  instrument: z
    .object({
      type: z.enum(INSTRUMENT_TYPES),
      trackingSystem: z.string().optional(),
      volumeMWh: z.string().optional(),
      entityCodes: z.array(z.string()).optional(),
      validFrom: z.string(),
      validTo: z.string(),
      certificateIds: z.array(z.string()).optional(),
    })
    .nullable()
    .transform((v) => v ?? undefined),
});

const factorColumns = sql.fragment`id, factor_set_id as "factorSetId", activity_key as "activityKey", name, scope, category, region, year, unit,
  co2e::text as co2e, gas_basis as "gasBasis", gwp_basis as "gwpBasis", gases, price_basis as "priceBasis", source_ref as "sourceRef", source_rows as "sourceRows",
  kind, supplier, instrument`;

export async function factorsForKeys(db: CommonQueryMethods, factorSetId: string, keys: readonly string[]): Promise<EmissionFactor[]> {
  const rows = await db.any(sql.type(FactorRow)`
    select ${factorColumns} from emission_factors
    where factor_set_id = ${factorSetId} and activity_key = any(${sql.array(keys, 'text')})`);
  return rows.map((r) => ({ ...r }));
}

/** One factor, if it is in a set the viewer may read (see visibleFactorSets). */
export async function findFactor(db: CommonQueryMethods, id: string, viewerOrgId?: string | null): Promise<EmissionFactor | null> {
  const row = await db.maybeOne(sql.type(FactorRow)`
    select ${factorColumns} from emission_factors
    where id = ${id} and factor_set_id in (select id from factor_sets where ${visibleFactorSets(viewerOrgId)})`);
  return row ? { ...row } : null;
}

export async function factorSetExists(db: CommonQueryMethods, id: string): Promise<boolean> {
  return db.exists(sql.unsafe`select 1 from factor_sets where id = ${id}`);
}

export async function gwpSetExists(db: CommonQueryMethods, id: string): Promise<boolean> {
  return db.exists(sql.unsafe`select 1 from gwp_sets where id = ${id}`);
}

/** One set, if the viewer may read it (see visibleFactorSets). */
export async function findFactorSet(db: CommonQueryMethods, id: string, viewerOrgId?: string | null): Promise<(FactorSetRow & { skippedRows: number }) | null> {
  return db.maybeOne(sql.type(FactorSetRow.extend({ skippedRows: z.number() }))`
    select ${factorSetColumns}, jsonb_array_length(skipped_rows) as "skippedRows"
    from factor_sets where id = ${id} and ${visibleFactorSets(viewerOrgId)}`);
}

/** Factors by id (results name them; the run diff reprices with them). */
export async function factorsByIds(db: CommonQueryMethods, ids: readonly string[]): Promise<EmissionFactor[]> {
  if (ids.length === 0) return [];
  const rows = await db.any(sql.type(FactorRow)`select ${factorColumns} from emission_factors where id = any(${sql.array(ids, 'text')}) order by id`);
  return rows.map((r) => ({ ...r }));
}

export async function factorsOfSet(db: CommonQueryMethods, factorSetId: string): Promise<EmissionFactor[]> {
  const rows = await db.any(sql.type(FactorRow)`select ${factorColumns} from emission_factors where factor_set_id = ${factorSetId} order by id`);
  return rows.map((r) => ({ ...r }));
}

export interface FactorSearch {
  q?: string | undefined;
  region?: string | undefined;
  year?: number | undefined;
  unit?: string | undefined;
  scope?: number | undefined;
  afterId?: string | undefined;
  limit: number;
}

/**
 * Factors of one set, filtered, keyset-paginated by id; q matches words of the key and name. A set
 * the viewer may not read has no factors (see visibleFactorSets).
 */
export async function searchFactors(db: CommonQueryMethods, factorSetId: string, s: FactorSearch, viewerOrgId?: string | null): Promise<EmissionFactor[]> {
  const words = (s.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
  const conditions = [sql.fragment`factor_set_id = ${factorSetId}`];
  if (viewerOrgId) conditions.push(sql.fragment`factor_set_id in (select id from factor_sets where ${visibleFactorSets(viewerOrgId)})`);
  for (const w of words) conditions.push(sql.fragment`(activity_key || ' ' || lower(name)) like ${'%' + w.replace(/[%_\\]/g, (c) => '\\' + c) + '%'}`);
  if (s.region) conditions.push(sql.fragment`region = ${s.region}`);
  if (s.year !== undefined) conditions.push(sql.fragment`year = ${s.year}`);
  if (s.unit) conditions.push(sql.fragment`unit = ${s.unit}`);
  if (s.scope !== undefined) conditions.push(sql.fragment`scope = ${s.scope}`);
  if (s.afterId) conditions.push(sql.fragment`id > ${s.afterId}`);
  const rows = await db.any(sql.type(FactorRow)`
    select ${factorColumns} from emission_factors where ${sql.join(conditions, sql.fragment` and `)} order by id limit ${s.limit}`);
  return rows.map((r) => ({ ...r }));
}

/** The Scope 2 organisation factors of a run's sets that market-based Scope 2 applies (supplier-specific, contractual instruments, residual mix). */
export async function marketFactorsForRun(db: CommonQueryMethods, factorSetIds: readonly string[]): Promise<EmissionFactor[]> {
  const rows = await db.any(sql.type(FactorRow)`
    select ${factorColumns} from emission_factors
    where factor_set_id = any(${sql.array(factorSetIds, 'text')}) and scope = 2 and kind in ('supplier_specific', 'contractual_instrument', 'residual_mix')
    order by id`);
  return rows.map((r) => ({ ...r }));
}

/**
 * The factors of a run's sets that a chunk's activity types may resolve to: exact keys, and key
 * prefixes for methods that pick among a family (air travel bands, classes and RF variants).
 */
export async function factorsForRun(db: CommonQueryMethods, factorSetIds: readonly string[], keys: readonly string[], prefixes: readonly string[]): Promise<EmissionFactor[]> {
  const patterns = prefixes.map((p) => p.replace(/[%_\\]/g, (c) => '\\' + c) + '%');
  const rows = await db.any(sql.type(FactorRow)`
    select ${factorColumns} from emission_factors
    where factor_set_id = any(${sql.array(factorSetIds, 'text')})
      and (activity_key = any(${sql.array(keys, 'text')}) or activity_key like any(${sql.array(patterns, 'text')}))`);
  return rows.map((r) => ({ ...r }));
}
