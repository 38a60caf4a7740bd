import { createHash, timingSafeEqual } from 'node:crypto';
import { authenticateApiKey, type Db } from '@tally/db';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError, notFound } from './problem.ts';

export type Principal = { kind: 'operator' } | { kind: 'organisation'; orgId: string; keyId: string };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      principal?: Principal;
    }
  }
}

const unauthorised = () => new ProblemError(401, 'urn:tally:problem:unauthorised', 'Unauthorised', 'send a valid API key as "Authorization: Bearer <key>"');

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Resolves the bearer token to an operator or to one organisation's key. */
export function authenticate(db: Db, adminToken: string | undefined) {
  const adminDigest = adminToken ? digest(adminToken) : undefined;
  return async (req: Request, _res: Response, next: NextFunction) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1]) throw unauthorised();
    const token = m[1];
    if (adminDigest && timingSafeEqual(digest(token), adminDigest)) {
      req.principal = { kind: 'operator' };
      return next();
    }
    const key = await authenticateApiKey(db.pool, token);
    if (!key) throw unauthorised();
    req.principal = { kind: 'organisation', orgId: key.orgId, keyId: key.keyId };
    next();
  };
}

export function requireOperator(req: Request): void {
  if (req.principal?.kind !== 'operator') throw new ProblemError(403, 'urn:tally:problem:forbidden', 'Forbidden', 'this operation needs the operator token');
}

/**
 * An organisation's key reaches only its own organisation. Another organisation's resources answer
 * 404, exactly as missing ones do, so a key cannot even learn what exists.
 */
export function requireOrg(req: Request, orgId: string): void {
  const p = req.principal;
  if (p?.kind === 'operator') return;
  if (p?.kind === 'organisation' && p.orgId === orgId) return;
  throw notFound('organisation');
}
