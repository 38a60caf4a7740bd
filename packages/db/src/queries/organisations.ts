import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AUTO_ACCEPT_THRESHOLD } from '@tally/core';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const ConsolidationApproach = z.enum(['operational_control', 'financial_control', 'equity_share']);

export const OrganisationRow = z.object({
  id: z.string(),
  name: z.string(),
  consolidationApproach: ConsolidationApproach,
  /** Matched rows below this confidence are held for review instead of calculated. */
  matchThreshold: z.string(),
  /** Whether text matches use Tally's shipped labelled purchase lines (code prior and example lines); a run's default. */
  useShippedLabels: z.boolean(),
  /** The year emissions are tracked against (null: none chosen). */
  baseYear: z.number().nullable(),
  /** Restated base-year figures moving the total by more than this share are flagged (0.05 = 5%). */
  restatementThreshold: z.string(),
  createdAt: z.string(),
});
export type OrganisationRow = z.infer<typeof OrganisationRow>;

const orgColumns = sql.fragment`id, name, consolidation_approach as "consolidationApproach", trim_scale(match_threshold)::text as "matchThreshold", use_shipped_labels as "useShippedLabels",
  base_year as "baseYear", trim_scale(restatement_threshold)::text as "restatementThreshold", created_at as "createdAt"`;

export async function insertOrganisation(db: CommonQueryMethods, input: { name: string; consolidationApproach?: z.infer<typeof ConsolidationApproach>; matchThreshold?: number; useShippedLabels?: boolean }): Promise<OrganisationRow> {
  return db.one(sql.type(OrganisationRow)`
    insert into organisations (name, consolidation_approach, match_threshold, use_shipped_labels)
    values (${input.name}, ${input.consolidationApproach ?? 'operational_control'}, ${input.matchThreshold ?? AUTO_ACCEPT_THRESHOLD}, ${input.useShippedLabels ?? true})
    returning ${orgColumns}`);
}

export async function updateOrganisation(
  db: CommonQueryMethods,
  id: string,
  input: {
    name?: string | undefined;
    consolidationApproach?: z.infer<typeof ConsolidationApproach> | undefined;
    matchThreshold?: number | undefined;
    useShippedLabels?: boolean | undefined;
    baseYear?: number | null | undefined;
    restatementThreshold?: number | undefined;
  },
): Promise<OrganisationRow | null> {
  // baseYear: undefined keeps it, null clears it.
  return db.maybeOne(sql.type(OrganisationRow)`
    update organisations set
      name = coalesce(${input.name ?? null}, name),
      consolidation_approach = coalesce(${input.consolidationApproach ?? null}, consolidation_approach),
      match_threshold = coalesce(${input.matchThreshold ?? null}::numeric, match_threshold),
      use_shipped_labels = coalesce(${input.useShippedLabels ?? null}::boolean, use_shipped_labels),
      base_year = ${input.baseYear === undefined ? sql.fragment`base_year` : sql.fragment`${input.baseYear}::int`},
      restatement_threshold = coalesce(${input.restatementThreshold ?? null}::numeric, restatement_threshold)
    where id = ${id} returning ${orgColumns}`);
}

export async function findOrganisation(db: CommonQueryMethods, id: string): Promise<OrganisationRow | null> {
  return db.maybeOne(sql.type(OrganisationRow)`select ${orgColumns} from organisations where id = ${id}`);
}

export const EntityRow = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(['legal_entity', 'site']),
  country: z.string(),
  ownershipPct: z.string(),
});
export type EntityRow = z.infer<typeof EntityRow>;

const entityColumns = sql.fragment`id, parent_id as "parentId", code, name, kind, country, ownership_pct as "ownershipPct"`;

export async function insertEntity(
  db: CommonQueryMethods,
  orgId: string,
  input: { code: string; name: string; kind: 'legal_entity' | 'site'; country: string; parentId: string | null; ownershipPct: string },
): Promise<EntityRow> {
  return db.one(sql.type(EntityRow)`
    insert into entities (org_id, parent_id, code, name, kind, country, ownership_pct)
    values (${orgId}, ${input.parentId}, ${input.code}, ${input.name}, ${input.kind}, ${input.country}, ${input.ownershipPct})
    returning ${entityColumns}`);
}

export async function listEntities(db: CommonQueryMethods, orgId: string): Promise<readonly EntityRow[]> {
  return db.any(sql.type(EntityRow)`select ${entityColumns} from entities where org_id = ${orgId} order by code`);
}

/** Entity code and id, both accepted in uploads, mapped to the id; this organisation only. */
export async function entityLookup(db: CommonQueryMethods, orgId: string): Promise<Map<string, string>> {
  const rows = await db.any(sql.type(z.object({ id: z.string(), code: z.string() }))`select id, code from entities where org_id = ${orgId}`);
  const m = new Map<string, string>();
  for (const r of rows) {
    m.set(r.code, r.id);
    m.set(r.id, r.id);
  }
  return m;
}

// --- API keys ------------------------------------------------------------------------------

const KEY_PREFIX = 'tly';

export interface IssuedApiKey {
  id: string;
  name: string;
  /** The whole bearer token. Returned once; only its SHA-256 is stored. */
  token: string;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function issueApiKey(db: CommonQueryMethods, orgId: string, name: string): Promise<IssuedApiKey> {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const token = `${KEY_PREFIX}_${prefix}_${secret}`;
  const id = await db.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into api_keys (org_id, name, prefix, secret_sha256)
    values (${orgId}, ${name}, ${prefix}, ${sql.binary(sha256(token))})
    returning id`);
  return { id, name, token };
}

const ApiKeyRow = z.object({ id: z.string(), orgId: z.string(), secret: z.instanceof(Buffer), revokedAt: z.string().nullable() });

/** The organisation a bearer token belongs to, or null. Constant-time comparison of hashes. */
export async function authenticateApiKey(db: CommonQueryMethods, token: string): Promise<{ keyId: string; orgId: string } | null> {
  const m = /^tly_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(token);
  if (!m?.[1]) return null;
  const row = await db.maybeOne(sql.type(ApiKeyRow)`
    select id, org_id as "orgId", secret_sha256 as secret, revoked_at as "revokedAt" from api_keys where prefix = ${m[1]}`);
  if (!row || row.revokedAt !== null) return null;
  const presented = sha256(token);
  if (presented.length !== row.secret.length || !timingSafeEqual(presented, row.secret)) return null;
  return { keyId: row.id, orgId: row.orgId };
}
