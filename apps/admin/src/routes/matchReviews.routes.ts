import { parsePeriod } from '@tally/core';
import { createMappingRule, createMappingRules, findOrganisation, latestCompleteRun, listMappingRules, retireMappingRule, reviewGroups, reviewGroupsCsv, unusableFactorKeys, type Db } from '@tally/db';
import { parse as parseCsv } from 'csv-parse/sync';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, fromZod, notFound } from '../http/problem.ts';

const Category = z.string().trim().min(1).max(500).nullish();
/** Upper case, as factor regions are written (GB, US, US-EGRID-CAMX); null: any region. */
const Region = z
  .string()
  .trim()
  .toUpperCase()
  .max(60)
  .regex(/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/, 'a region code such as GB, US or US-EGRID-CAMX')
  .nullish();

const RuleBody = z
  .object({
    kind: z.enum(['exact', 'contains', 'regex']).default('exact'),
    field: z.enum(['description', 'supplier', 'account', 'category']).default('description'),
    pattern: z.string().trim().min(1).max(500),
    key: z.string().trim().min(1).max(300),
    /** Only rows of this category; absent or null: any category. */
    category: Category,
    /** Only rows in this region or a region within it; absent or null: any region. */
    region: Region,
  })
  .strict()
  .refine((r) => !(r.field === 'category' && r.category), { path: ['category'], message: 'a rule on the category field already names its category' });

/**
 * Confirming or overriding a review group: an exact rule on the group's text, for the group's
 * category when `category` is given (a group's `category`), else for the text in any category; for
 * rows in `region` (one of a group's `regions`, or a region around it) only when it is given.
 */
const ReviewDecision = z.object({ text: z.string().trim().min(1).max(500), key: z.string().trim().min(1).max(300), category: Category, region: Region }).strict();
/** Many groups at once (a reviewer working through the queue): stored together or not at all. */
const ReviewDecisions = z.object({ decisions: z.array(ReviewDecision).min(1).max(1000) }).strict();

/** Where a value is in the request: a JSON pointer, or a CSV line and column. */
type Where = { pointer: string } | { line: number; column: string };

/**
 * A rule must name a factor the organisation can use: a mistyped key would leave its rows without
 * a factor in the next run. Each unknown key is reported where it is in the request.
 */
async function requireUsableKeys(db: Db, orgId: string, keys: readonly { key: string; where: Where }[]): Promise<void> {
  const unknown = new Set(await unusableFactorKeys(db.pool, keys.map((k) => k.key), orgId));
  if (unknown.size === 0) return;
  throw new ProblemError(422, 'urn:tally:problem:unknown-factor-key', 'Unknown factor key', `no factor set this organisation can use has a factor with key ${[...unknown].map((k) => `"${k}"`).join(', ')} (GET /v1/factor-sets)`, {
    errors: keys.filter((k) => unknown.has(k.key)).map((k) => ({ ...k.where, detail: `unknown factor key "${k.key}"` })),
  });
}

/**
 * Decisions from the review queue's CSV (reviewGroupsCsv) filled in by a reviewer: each line with a
 * `key` decides its text (and category); lines without one stay open. Errors name line and column.
 */
function decisionsFromCsv(text: string): { decision: z.infer<typeof ReviewDecision>; where: Where }[] {
  let records: { info: { lines: number }; record: Record<string, string> }[];
  try {
    records = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, info: true });
  } catch (e) {
    throw badRequest(`the CSV cannot be read: ${(e as Error).message}`);
  }
  const header = records.length > 0 ? Object.keys(records[0]!.record) : [];
  const missing = ['text', 'key'].filter((c) => !header.includes(c));
  if (missing.length > 0) throw badRequest(`the CSV has no column ${missing.map((c) => `"${c}"`).join(' or ')} (download it with ?format=csv)`);
  const out: { decision: z.infer<typeof ReviewDecision>; where: Where }[] = [];
  const errors: { line: number; column: string; detail: string }[] = [];
  for (const { info, record } of records) {
    if (!record.key?.trim()) continue;
    const d = ReviewDecision.safeParse({ text: record.text, key: record.key, category: record.category?.trim() || null, region: record.for_region?.trim() || null });
    if (d.success) out.push({ decision: d.data, where: { line: info.lines, column: 'key' } });
    else for (const i of d.error.issues) errors.push({ line: info.lines, column: i.path[0] === 'region' ? 'for_region' : String(i.path[0] ?? 'text'), detail: i.message });
  }
  if (errors.length > 0) throw new ProblemError(400, 'urn:tally:problem:validation', 'Invalid request', 'the CSV has lines that are not valid decisions', { errors });
  if (out.length === 0) throw badRequest('no line of the CSV has a key: fill the key column of the groups you decide');
  return out;
}

const isCsv = (req: Request) => typeof req.is(['text/csv', 'application/csv']) === 'string';

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
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('format must be json or csv');
    // A download for a spreadsheet holds the whole queue more often than a page does.
    const limit = Math.min(Number(req.query.limit ?? (format === 'csv' ? 10_000 : 200)), format === 'csv' ? 100_000 : 1000);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest('limit must be a positive integer');
    const groups = await reviewGroups(db.pool, run.id, limit);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="match-reviews-${run.id}.csv"`).send(reviewGroupsCsv(groups));
      return;
    }
    res.json({ runId: run.id, period, groups });
  });

  r.post('/organisations/:orgId/match-reviews', express.text({ type: ['text/csv', 'application/csv'], limit: '10mb' }), async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    let decisions: { decision: z.infer<typeof ReviewDecision>; where: Where }[];
    let many = true;
    if (isCsv(req)) decisions = decisionsFromCsv(typeof req.body === 'string' ? req.body : '');
    else if (typeof req.body === 'object' && req.body !== null && 'decisions' in req.body) {
      const body = ReviewDecisions.safeParse(req.body);
      if (!body.success) throw fromZod(body.error);
      decisions = body.data.decisions.map((decision, i) => ({ decision, where: { pointer: `/decisions/${i}/key` } }));
    } else {
      const body = ReviewDecision.safeParse(req.body);
      if (!body.success) throw fromZod(body.error);
      decisions = [{ decision: body.data, where: { pointer: '/key' } }];
      many = false;
    }
    await requireUsableKeys(db, orgId, decisions.map(({ decision, where }) => ({ key: decision.key, where })));
    const createdBy = who(req);
    const rules = await createMappingRules(
      db.pool,
      orgId,
      decisions.map(({ decision: d }) => ({ kind: 'exact', field: 'description', pattern: d.text, key: d.key, category: d.category ?? null, region: d.region ?? null, createdBy })),
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
    await requireUsableKeys(db, orgId, [{ key: body.data.key, where: { pointer: '/key' } }]);
    res.status(201).json(await createMappingRule(db.pool, orgId, { ...body.data, createdBy: who(req) }));
  });

  r.delete('/organisations/:orgId/mapping-rules/:ruleId', async (req, res) => {
    requireOrg(req, req.params.orgId);
    if (!z.uuid().safeParse(req.params.ruleId).success || !(await retireMappingRule(db.pool, req.params.orgId, req.params.ruleId))) throw notFound('mapping rule');
    res.status(204).end();
  });

  return r;
}
