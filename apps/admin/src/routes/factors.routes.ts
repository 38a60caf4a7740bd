import { diffFactorSets, findUnit } from '@tally/core';
import { factorsOfSet, findFactor, findFactorSet, listFactorSets, loadGwpSets, searchFactors, type Db } from '@tally/db';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { badRequest, fromZod, notFound } from '../http/problem.ts';

const Search = z.object({
  q: z.string().max(200).optional(),
  region: z.string().max(20).optional(),
  year: z.coerce.number().int().min(1990).max(2100).optional(),
  unit: z.string().max(50).optional(),
  scope: z.coerce.number().int().min(1).max(3).optional(),
  after: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * The organisation whose own factor sets the caller may read besides the published ones; none for
 * the operator, who reads all. Another organisation's sets answer 404, as missing ones do.
 */
export const viewerOrgId = (req: Request): string | undefined => (req.principal?.kind === 'organisation' ? req.principal.orgId : undefined);

/** The factor library: published sets, readable by every key, and each organisation's own sets. */
export function factorRoutes(db: Db): Router {
  const r = Router();

  r.get('/factor-sets', async (req, res) => {
    res.json({ factorSets: await listFactorSets(db.pool, viewerOrgId(req)) });
  });

  r.get('/gwp-sets', async (_req, res) => {
    res.json({ gwpSets: await loadGwpSets(db.pool) });
  });

  r.get('/factor-sets/:setId', async (req, res) => {
    const set = await findFactorSet(db.pool, req.params.setId, viewerOrgId(req));
    if (!set) throw notFound('factor set');
    res.json(set);
  });

  r.get('/factor-sets/:setId/factors', async (req, res) => {
    const set = await findFactorSet(db.pool, req.params.setId, viewerOrgId(req));
    if (!set) throw notFound('factor set');
    const p = Search.safeParse(req.query);
    if (!p.success) throw fromZod(p.error, 'query');
    let unit: string | undefined;
    if (p.data.unit) {
      unit = findUnit(p.data.unit)?.code;
      if (!unit) throw badRequest(`unknown unit "${p.data.unit}"`);
    }
    const factors = await searchFactors(db.pool, set.id, { ...p.data, unit, afterId: p.data.after }, viewerOrgId(req));
    const last = factors.at(-1);
    const next = factors.length === p.data.limit && last ? new URLSearchParams({ ...Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)])), after: last.id }).toString() : null;
    res.json({ factors: factors.map(({ sourceRows: _rows, ...f }) => f), next: next ? `?${next}` : null });
  });

  r.get('/factor-sets/:from/diff/:to', async (req, res) => {
    const [a, b] = await Promise.all([findFactorSet(db.pool, req.params.from, viewerOrgId(req)), findFactorSet(db.pool, req.params.to, viewerOrgId(req))]);
    if (!a || !b) throw notFound('factor set');
    const diff = diffFactorSets(a.id, await factorsOfSet(db.pool, a.id), b.id, await factorsOfSet(db.pool, b.id));
    res.json({ ...diff, counts: { appeared: diff.appeared.length, disappeared: diff.disappeared.length, changed: diff.changed.length, unchanged: diff.unchanged } });
  });

  r.get('/factors/:factorId', async (req, res) => {
    const f = await findFactor(db.pool, req.params.factorId, viewerOrgId(req));
    if (!f) throw notFound('factor');
    res.json(f);
  });

  return r;
}
