import { FACTOR_SERIES_RE, validateOrganisationFactors, type OrganisationFactorDraft, type PointerError } from '@tally/core';
import {
  factorsOfSet,
  findOrganisation,
  findOrganisationFactorSet,
  listOrganisationFactorSets,
  loadGwpSets,
  retireOrganisationFactorSet,
  storeOrganisationFactorSet,
  type Db,
} from '@tally/db';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, notFound } from '../http/problem.ts';

const Body = z.object({
  series: z.string().trim().toLowerCase().regex(FACTOR_SERIES_RE, 'lower-case letters, digits, ".", "_" and "-", at most 63').optional(),
  description: z.string().trim().min(1).max(1000).optional(),
  factors: z.unknown().optional(),
});

const invalid = (errors: PointerError[]) => new ProblemError(400, 'urn:tally:problem:validation', 'Invalid request', 'the request body is invalid', { errors });

/**
 * An organisation's own factor sets (supplier-specific factors, contractual instruments, residual
 * mix...): versioned series, private to the organisation, used in runs like published sets.
 */
export function organisationFactorRoutes(db: Db): Router {
  const r = Router();

  /** The organisation of the path, when the caller may reach it and it exists. */
  async function organisation(req: Request<{ orgId: string }>): Promise<string> {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    if (!(await findOrganisation(db.pool, orgId).catch(() => null))) throw notFound('organisation');
    return orgId;
  }

  /** Validates the body, reporting the envelope's errors and every factor's together. */
  async function readBody(body: unknown, series: string | undefined): Promise<{ series: string; description: string | undefined; factors: OrganisationFactorDraft[] }> {
    const errors: PointerError[] = [];
    const b = Body.safeParse(body);
    if (!b.success) errors.push(...b.error.issues.map((i) => ({ pointer: `/${i.path.join('/')}`, detail: i.message })));
    const given = b.success ? b.data.series : undefined;
    const raw = typeof body === 'object' && body !== null ? (body as { series?: unknown; factors?: unknown }) : {};
    if (series === undefined && raw.series === undefined) errors.push({ pointer: '/series', detail: 'is required' });
    if (series !== undefined && given !== undefined && given !== series) errors.push({ pointer: '/series', detail: `must be this set's series ("${series}") or left out` });
    const gwpSets = await loadGwpSets(db.pool);
    const v = validateOrganisationFactors(raw.factors, {
      gwpSetIds: gwpSets.map((s) => s.id),
      knownGases: new Set(gwpSets.flatMap((s) => Object.keys(s.values))),
    });
    if (!v.ok) errors.push(...v.errors);
    if (errors.length > 0 || !b.success || !v.ok) throw invalid(errors);
    return { series: series ?? given ?? '', description: b.data.description, factors: v.factors };
  }

  async function store(orgId: string, input: { series: string; description: string | undefined; factors: OrganisationFactorDraft[] }) {
    const stored = await storeOrganisationFactorSet(db.pg, { orgId, ...input });
    const factorSet = await findOrganisationFactorSet(db.pool, orgId, stored.id);
    return { status: stored.created ? 201 : 200, body: { factorSet, factorCount: stored.factorCount, created: stored.created } };
  }

  r.post('/organisations/:orgId/factor-sets', async (req, res) => {
    const orgId = await organisation(req);
    const out = await store(orgId, await readBody(req.body, undefined));
    res.status(out.status).json(out.body);
  });

  r.get('/organisations/:orgId/factor-sets', async (req, res) => {
    const orgId = await organisation(req);
    res.json({ factorSets: await listOrganisationFactorSets(db.pool, orgId) });
  });

  r.get('/organisations/:orgId/factor-sets/:setId', async (req, res) => {
    const orgId = await organisation(req);
    const factorSet = await findOrganisationFactorSet(db.pool, orgId, req.params.setId);
    if (!factorSet) throw notFound('factor set');
    res.json({ factorSet, factors: await factorsOfSet(db.pool, factorSet.id) });
  });

  // An update is a new version of the set's series; the version named is never modified.
  r.put('/organisations/:orgId/factor-sets/:setId', async (req, res) => {
    const orgId = await organisation(req);
    const prior = await findOrganisationFactorSet(db.pool, orgId, req.params.setId);
    if (!prior?.series) throw notFound('factor set');
    const out = await store(orgId, await readBody(req.body, prior.series));
    res.status(out.status).json(out.body);
  });

  r.delete('/organisations/:orgId/factor-sets/:setId', async (req, res) => {
    const orgId = await organisation(req);
    const outcome = await retireOrganisationFactorSet(db.pool, orgId, req.params.setId);
    if (outcome === 'not_found') throw notFound('factor set');
    if (outcome === 'already_retired') throw new ProblemError(409, 'urn:tally:problem:already-retired', 'Already retired', `factor set ${req.params.setId} is already retired`);
    res.status(204).end();
  });

  return r;
}
