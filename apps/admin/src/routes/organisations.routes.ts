import { ConsolidationApproach, ForeignKeyIntegrityConstraintViolationError, UniqueIntegrityConstraintViolationError, findOrganisation, insertEntity, insertOrganisation, issueApiKey, updateOrganisation, listEntities, latestRunPerYear, recordBaseYear, supersedeBaseYearRecord, type Db } from '@tally/db';
import { Router } from 'express';
import { z } from 'zod';
import { requireOperator, requireOrg } from '../http/auth.ts';
import { ProblemError, fromZod, notFound } from '../http/problem.ts';

const CreateOrganisation = z.object({
  name: z.string().trim().min(1).max(200),
  consolidationApproach: ConsolidationApproach.optional(),
  matchThreshold: z.number().min(0).max(1).optional(),
  /** Whether text matches use Tally's shipped labelled purchase lines (default true); each run's default. */
  useShippedLabels: z.boolean().optional(),
});
const UpdateOrganisation = CreateOrganisation.partial()
  .extend({
    /** The base year (null clears it); setting another one records its figure of record anew. */
    baseYear: z.number().int().min(1990).max(2100).nullable().optional(),
    /** Share (0.05 = 5%) by which restated base-year figures may move before the trend flags them. */
    restatementThreshold: z.number().gt(0).max(1).optional(),
  })
  .strict();
const CreateEntity = z.object({
  code: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(300),
  kind: z.enum(['legal_entity', 'site']),
  country: z.string().trim().regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2 country code').transform((c) => c.toUpperCase()),
  parentCode: z.string().trim().min(1).optional(),
  ownershipPct: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage with up to 4 decimals')).optional(),
});
const CreateKey = z.object({ name: z.string().trim().min(1).max(100) });

/** A new base year: the old figure of record ends; the new year's is recorded now if it has a complete run, else when first reported. */
async function rebaseYear(db: Db, orgId: string, baseYear: number | null, by: string): Promise<void> {
  if (baseYear !== null && (await latestRunPerYear(db.pool, orgId, baseYear, baseYear)).length > 0) await recordBaseYear(db.pool, orgId, { reason: 'base_year_set', by });
  else await supersedeBaseYearRecord(db.pool, orgId);
}

export function organisationRoutes(db: Db): Router {
  const r = Router();

  r.post('/organisations', async (req, res) => {
    requireOperator(req);
    const body = CreateOrganisation.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const org = await insertOrganisation(db.pool, body.data);
    const key = await issueApiKey(db.pool, org.id, 'initial');
    res.status(201).json({ organisation: org, apiKey: key });
  });

  r.patch('/organisations/:orgId', async (req, res) => {
    requireOrg(req, req.params.orgId);
    const body = UpdateOrganisation.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const before = await findOrganisation(db.pool, req.params.orgId).catch(() => null);
    if (!before) throw notFound('organisation');
    const org = await updateOrganisation(db.pool, req.params.orgId, body.data).catch(() => null);
    if (!org) throw notFound('organisation');
    if (org.baseYear !== before.baseYear) await rebaseYear(db, org.id, org.baseYear, req.principal?.kind === 'organisation' ? `api-key:${req.principal.keyId}` : 'operator');
    res.json(org);
  });

  r.get('/organisations/:orgId', async (req, res) => {
    requireOrg(req, req.params.orgId);
    const org = await findOrganisation(db.pool, req.params.orgId).catch(() => null);
    if (!org) throw notFound('organisation');
    res.json(org);
  });

  r.post('/organisations/:orgId/api-keys', async (req, res) => {
    requireOrg(req, req.params.orgId);
    const body = CreateKey.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    res.status(201).json(await issueApiKey(db.pool, req.params.orgId, body.data.name));
  });

  r.post('/organisations/:orgId/entities', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const body = CreateEntity.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const entities = await listEntities(db.pool, orgId);
    let parentId: string | null = null;
    if (body.data.parentCode) {
      const parent = entities.find((e) => e.code === body.data.parentCode);
      if (!parent) throw new ProblemError(422, 'urn:tally:problem:unknown-parent', 'Unknown parent', `no entity with code "${body.data.parentCode}" in this organisation`);
      parentId = parent.id;
    }
    try {
      const e = await insertEntity(db.pool, orgId, { ...body.data, parentId, ownershipPct: body.data.ownershipPct ?? '100' });
      res.status(201).json(e);
    } catch (err) {
      if (err instanceof UniqueIntegrityConstraintViolationError) throw new ProblemError(409, 'urn:tally:problem:duplicate', 'Duplicate', `entity code "${body.data.code}" already exists in this organisation`);
      if (err instanceof ForeignKeyIntegrityConstraintViolationError) throw notFound('organisation');
      throw err;
    }
  });

  r.get('/organisations/:orgId/entities', async (req, res) => {
    requireOrg(req, req.params.orgId);
    res.json({ entities: await listEntities(db.pool, req.params.orgId) });
  });

  return r;
}
