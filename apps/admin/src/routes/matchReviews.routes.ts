import { parsePeriod } from '@tally/core';
import { createMappingRule, createMappingRules, findOrganisation, latestCompleteRun, listMappingRules, retireMappingRule, reviewGroups, unusableFactorKeys, type Db } from '@tally/db';
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
/** Many groups at once (a reviewer working through the queue): stored together or not at all. */
const ReviewDecisions = z.object({ decisions: z.array(ReviewDecision).min(1).max(1000) }).strict();

/**
 * A rule must name a factor the organisation can use: a mistyped key would leave its rows without
 * a factor in the next run. `pointer` gives where each key is in the body.
 */
async function requireUsableKeys(db: Db, orgId: string, keys: readonly { key: string; pointer: string }[]): Promise<void> {
  const unknown = new Set(await unusableFactorKeys(db.pool, keys.map((k) => k.key), orgId));
  if (unknown.size === 0) return;
  throw new ProblemError(422, 'urn:tally:problem:unknown-factor-key', 'Unknown factor key', `no factor set this organisation can use has a factor with key ${[...unknown].map((k) => `"${k}"`).join(', ')} (GET /v1/factor-sets)`, {
    errors: keys.filter((k) => unknown.has(k.key)).map((k) => ({ pointer: k.pointer, detail: `unknown factor key "${k.key}"` })),
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
    const many = typeof req.body === 'object' && req.body !== null && 'decisions' in req.body;
    const body = many ? ReviewDecisions.safeParse(req.body) : ReviewDecision.safeParse(req.body);
    if (!body.success) throw fromZod(body.error);
    const decisions = 'decisions' in body.data ? body.data.decisions : [body.data];
    await requireUsableKeys(db, orgId, decisions.map((d, i) => ({ key: d.key, pointer: many ? `/decisions/${i}/key` : '/key' })));
    const createdBy = who(req);
    const rules = await createMappingRules(
      db.pool,
      orgId,
      decisions.map((d) => ({ kind: 'exact', field: 'description', pattern: d.text, key: d.key, category: d.category ?? null, createdBy })),
    );
    res.status(201).json(many ? { rules } : rules[0]);
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
    await requireUsableKeys(db, orgId, [{ key: body.data.key, pointer: '/key' }]);
    res.status(201).json(await createMappingRule(db.pool, orgId, { ...body.data, createdBy: who(req) }));
  });

  r.delete('/organisations/:orgId/mapping-rules/:ruleId', async (req, res) => {
    requireOrg(req, req.params.orgId);
    if (!z.uuid().safeParse(req.params.ruleId).success || !(await retireMappingRule(db.pool, req.params.orgId, req.params.ruleId))) throw notFound('mapping rule');
    res.status(204).end();
  });

  return r;
}
