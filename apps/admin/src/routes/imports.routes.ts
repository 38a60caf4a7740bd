import { findImport, listRejections, type Db } from '@tally/db';
import type { ImportMetrics } from '@tally/metrics';
import { Router } from 'express';
import { requireOrg } from '../http/auth.ts';
import { ProblemError, badRequest, notFound } from '../http/problem.ts';
import { importActivities, type ImportFormat } from '../imports/importActivities.ts';

function formatOf(contentType: string | undefined): ImportFormat {
  const t = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (t === 'text/csv' || t === 'application/csv') return 'csv';
  if (t === 'application/x-ndjson' || t === 'application/ndjson' || t === 'application/jsonl' || t === 'application/x-jsonlines') return 'ndjson';
  throw new ProblemError(415, 'urn:tally:problem:unsupported-media-type', 'Unsupported media type', 'send text/csv or application/x-ndjson');
}

/** RFC 8941 sf-string ("…") or a bare token, up to 255 characters. */
function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const v = header.trim().replace(/^"(.*)"$/, '$1');
  if (v.length < 1 || v.length > 255 || !/^[\x21-\x7e]+$/.test(v)) throw badRequest('Idempotency-Key must be 1-255 visible ASCII characters');
  return v;
}

export function importRoutes(db: Db, metrics: ImportMetrics): Router {
  const r = Router();

  r.post('/organisations/:orgId/activity-imports', async (req, res) => {
    const orgId = req.params.orgId;
    requireOrg(req, orgId);
    const format = formatOf(req.get('content-type'));
    const fileName = typeof req.query.fileName === 'string' ? req.query.fileName.slice(0, 300) : null;
    const outcome = await importActivities(db, { orgId, format, fileName, idempotencyKey: idempotencyKey(req.get('idempotency-key')), body: req });
    if (!outcome.replayed) {
      metrics.rows.inc({ outcome: 'accepted' }, outcome.summary.rowsAccepted);
      metrics.rows.inc({ outcome: 'rejected' }, outcome.summary.rowsRejected);
    }
    if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(outcome.replayed ? 200 : 201).location(`/v1/organisations/${orgId}/activity-imports/${outcome.summary.importId}`).json(outcome.summary);
  });

  r.get('/organisations/:orgId/activity-imports/:importId', async (req, res) => {
    requireOrg(req, req.params.orgId);
    const row = await findImport(db.pool, req.params.orgId, req.params.importId).catch(() => null);
    if (!row) throw notFound('import');
    res.json(row);
  });

  r.get('/organisations/:orgId/activity-imports/:importId/rejections', async (req, res) => {
    requireOrg(req, req.params.orgId);
    const row = await findImport(db.pool, req.params.orgId, req.params.importId).catch(() => null);
    if (!row) throw notFound('import');
    const after = Number(req.query.afterLine ?? 0);
    const limit = Math.min(Number(req.query.limit ?? 100), 1000);
    if (!Number.isInteger(after) || !Number.isInteger(limit) || limit < 1) throw badRequest('afterLine and limit must be integers');
    const rejections = await listRejections(db.pool, row.id, after, limit);
    const last = rejections.at(-1);
    res.json({ rejections, next: rejections.length === limit && last ? `?afterLine=${last.lineNo}&limit=${limit}` : null });
  });

  return r;
}
