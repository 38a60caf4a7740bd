import { CoreError } from '@tally/core';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';

/** RFC 9457 problem details; `type` names the error class, documented in the README. */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  constructor(status: number, type: string, title: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.type = type;
    this.title = title;
    this.extensions = extensions;
  }
}

export const notFound = (what: string) => new ProblemError(404, 'urn:tally:problem:not-found', 'Not found', `${what} not found`);
export const badRequest = (detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemError(400, 'urn:tally:problem:bad-request', 'Bad request', detail, extensions);

export function fromZod(error: z.ZodError, where = 'body'): ProblemError {
  return new ProblemError(400, 'urn:tally:problem:validation', 'Invalid request', `the request ${where} is invalid`, {
    errors: error.issues.map((i) => ({ pointer: `/${i.path.join('/')}`, detail: i.message })),
  });
}

const CORE_STATUS: Record<string, number> = {
  'PERIOD.INVALID': 400,
  'UNIT.UNKNOWN': 400,
  'UNIT.INCOMPATIBLE': 422,
};

export const problemHandler =
  (log: { error(obj: unknown, msg: string): void }): ErrorRequestHandler =>
  (err: unknown, req, res, _next) => {
    let p: ProblemError;
    if (err instanceof ProblemError) p = err;
    else if (err instanceof z.ZodError) p = fromZod(err);
    else if (err instanceof CoreError) p = new ProblemError(CORE_STATUS[err.code] ?? 422, `urn:tally:problem:${err.code.toLowerCase()}`, err.code, err.message, err.details ?? {});
    else if (typeof err === 'object' && err !== null && 'type' in err && (err as { type: unknown }).type === 'entity.parse.failed') {
      p = badRequest('the request body is not valid JSON');
    } else {
      log.error({ err }, 'unhandled error');
      p = new ProblemError(500, 'urn:tally:problem:internal', 'Internal error', 'an unexpected error occurred; it has been logged');
    }
    res.status(p.status).type('application/problem+json').json({ type: p.type, title: p.title, status: p.status, detail: p.message, instance: req.originalUrl, ...p.extensions });
  };
