import { discardDeadLetter, findDeadLetter, findRun, listDeadLetters, retryDeadLetter, type Db, type DeadLetter } from '@tally/db';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireOperator, requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, notFound } from '../http/problem.ts';

const Query = z.object({ runId: z.uuid().optional(), status: z.enum(['parked', 'retried', 'discarded']).optional() });
const Resolve = z.object({ by: z.string().min(1).max(200).optional() }).strict();

/**
 * Chunks parked after failing (dead letters). Any key may read the letters of its own
 * organisation's runs (others answer 404, as missing ones do); only the operator retries or
 * discards them (403): redriving work is a fleet decision, and a discard fails the run.
 */
export function deadLetterRoutes(db: Db): Router {
  const r = Router();

  r.get('/dead-letters', async (req, res) => {
    const q = Query.safeParse(req.query);
    if (!q.success) throw badRequest('runId must be a run id; status one of parked, retried, discarded');
    const p = req.principal;
    if (q.data.runId) {
      const run = await findRun(db.pool, q.data.runId);
      if (!run) throw notFound('calculation run');
      requireOrg(req, run.orgId);
    }
    const orgId = p?.kind === 'organisation' ? p.orgId : undefined;
    const letters = await listDeadLetters(db.pool, { ...q.data, ...(orgId ? { orgId } : {}) });
    res.json({ deadLetters: letters.map(present) });
  });

  r.get('/dead-letters/:id', async (req, res) => {
    res.json(present(await visibleLetter(req)));
  });

  const resolve = (action: typeof retryDeadLetter) => async (req: Request<{ id: string }>, res: Response) => {
    requireOperator(req);
    const body = Resolve.safeParse(req.body ?? {});
    if (!body.success) throw badRequest('body may only give {by: "who"}');
    if (!z.uuid().safeParse(req.params.id).success) throw notFound('dead letter');
    const outcome = await action(db.pg, db.pool, req.params.id, body.data.by ? `operator:${body.data.by}` : 'operator');
    if (outcome.status === 'not_found') throw notFound('dead letter');
    if (outcome.status === 'conflict') throw new ProblemError(409, 'urn:tally:problem:dead-letter-resolved', 'Dead letter not parked', outcome.reason);
    res.json(present(outcome.letter));
  };
  r.post('/dead-letters/:id/retry', resolve(retryDeadLetter));
  r.post('/dead-letters/:id/discard', resolve(discardDeadLetter));

  async function visibleLetter(req: Request<{ id: string }>): Promise<DeadLetter> {
    if (!z.uuid().safeParse(req.params.id).success) throw notFound('dead letter');
    const letter = await findDeadLetter(db.pool, req.params.id);
    if (!letter) throw notFound('dead letter');
    requireOrg(req, letter.orgId);
    return letter;
  }

  return r;
}

function present(l: DeadLetter) {
  return l;
}
