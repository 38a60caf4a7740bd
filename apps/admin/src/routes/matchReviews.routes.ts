import { parsePeriod } from '@tally/core';
import { createMappingRule, factorKeyUsableBy, findOrganisation, latestCompleteRun, listMappingRules, retireMappingRule, reviewGroups, type Db } from '@tally/db';
import { Router } from 'express';
import { z } from 'zod';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, fromZod, notFound } from '../http/problem.ts';

const Category = z.string().trim().min(1).max(500).nullish();

const RuleBody = z
  .object({
    kind: z.enum(['exact', 'contains', 'regex']).default('exact'),
    field: z.enum(['description', 'supplier', 'account', 'category']).default('description'),
    pattern: z.string().trim().min(1).max(500),
    key: z.string().trim().min(1).max(300),
    /** Only rows of this category; absent or null: any category. */
    category: Category,
  })
  .strict()
  .refine((r) => !(r.field === 'category' && r.category), { path: ['category'], message: 'a rule on the category field already names its category' });

/**
 * Confirming or overriding a review group: an exact rule on the group's text, for the group's
 * category when `category` is given (a group's `category`), else for the text in any category.
 */
const ReviewDecision = z.object({ text: z.string().trim().min(1).max(500), key: z.string().trim().min(1).max(300), category: Category }).strict();

/** A rule must name a factor the organisation can use: a mistyped key would leave its rows without a factor in the next run. */
async function requireUsableKey(db: Db, key: string, orgId: string): Promise<void> {
  if (!(await factorKeyUsableBy(db.pool, key, orgId)))
    throw new ProblemError(422, 'urn:tally:problem:unknown-factor-key', 'Unknown factor key', `no factor set this organisation can use has a factor with key "${key}" (GET /v1/factor-sets)`, {
      errors: [{ pointer: '/key', detail: 'unknown factor key' }],
    });
}

const who = (req: Parameters<typeof requireOrg>[0]) => (req.principal?.kind === 'organisation' ? `api-key:${req.principal.keyId}` : 'operator');

/**
 * The review loop: rows the engine could not match with enough confidence, grouped by text; a
 * decision stores a mapping rule (who set it is kept), which the next calculation run applies.
 */
export function matchReviewRoutes(db: Db): Router {
  const r = Router();

  r.get('/organisations/:orgId/match-reviews', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    if (typeof req.query.period !== 'string') throw badRequest('query parameter period is required, e.g. ?period=2024');
    const period = parsePeriod(req.query.period);
    if (!(await findOrganisation(db.pool, orgId).catch(() => null))) throw notFound('organisation');
    const run = await latestCompleteRun(db.pool, orgId, period.start, period.end);
    if (!run) throw new ProblemError(404, 'urn:tally:problem:no-complete-run', 'No complete run', `no complete calculation run for ${period.start}/${period.end}`);
    const limit = Math.min(Number(req.query.limit ?? 200), 1000);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest('limit must be a positive integer');
    res.json({ runId: run.id, period, groups: await reviewGroups(db.pool, run.id, limit) });
  });

  r.post('/organisations/:orgId/match-reviews', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const body = ReviewDecision.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    await requireUsableKey(db, body.data.key, orgId);
    const rule = await createMappingRule(db.pool, orgId, { kind: 'exact', field: 'description', pattern: body.data.text, key: body.data.key, category: body.data.category ?? null, createdBy: who(req) });
    res.status(201).json(rule);
  });

  r.get('/organisations/:orgId/mapping-rules', async (req, res) => {
    requireOrg(req, req.params.orgId);
    res.json({ rules: await listMappingRules(db.pool, req.params.orgId, req.query.retired === 'true') });
  });

  r.post('/organisations/:orgId/mapping-rules', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const body = RuleBody.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    if (body.data.kind === 'regex') {
      try {
        new RegExp(body.data.pattern, 'i');
      } catch (e) {
        throw badRequest(`pattern is not a valid regular expression: ${(e as Error).message}`, { errors: [{ pointer: '/pattern', detail: 'invalid regular expression' }] });
      }
    }
    await requireUsableKey(db, body.data.key, orgId);
    res.status(201).json(await createMappingRule(db.pool, orgId, { ...body.data, createdBy: who(req) }));
  });

  r.delete('/organisations/:orgId/mapping-rules/:ruleId', async (req, res) => {
    requireOrg(req, req.params.orgId);
    if (!z.uuid().safeParse(req.params.ruleId).success || !(await retireMappingRule(db.pool, req.params.orgId, req.params.ruleId))) throw notFound('mapping rule');
    res.status(204).end();
  });

  return r;
}
