import type pg from 'pg';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const ImportRow = z.object({
  id: z.string(),
  orgId: z.string(),
  format: z.enum(['csv', 'ndjson']),
  fileName: z.string().nullable(),
  status: z.enum(['loading', 'complete', 'failed']),
  rowsTotal: z.number(),
  rowsAccepted: z.number(),
  rowsRejected: z.number(),
  contentSha256: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type ImportRow = z.infer<typeof ImportRow>;

const importColumns = sql.fragment`id, org_id as "orgId", format, file_name as "fileName", status, rows_total as "rowsTotal",
  rows_accepted as "rowsAccepted", rows_rejected as "rowsRejected", content_sha256 as "contentSha256", created_at as "createdAt", completed_at as "completedAt"`;

export async function findImport(db: CommonQueryMethods, orgId: string, importId: string): Promise<ImportRow | null> {
  return db.maybeOne(sql.type(ImportRow)`select ${importColumns} from activity_imports where id = ${importId} and org_id = ${orgId}`);
}

export async function findImportByKey(db: CommonQueryMethods, orgId: string, key: string): Promise<ImportRow | null> {
  return db.maybeOne(sql.type(ImportRow)`select ${importColumns} from activity_imports where org_id = ${orgId} and idempotency_key = ${key}`);
}

export const RejectionRow = z.object({
  lineNo: z.number(),
  errors: z.array(z.object({ field: z.string(), reason: z.string() })),
  raw: z.unknown(),
});

export async function listRejections(db: CommonQueryMethods, importId: string, afterLine: number, limit: number) {
  return db.any(sql.type(RejectionRow)`
    select line_no as "lineNo", errors, raw from import_rejections
    where import_id = ${importId} and line_no > ${afterLine} order by line_no limit ${limit}`);
}

/**
 * Claims an idempotency key inside the upload's transaction. A concurrent upload with the same
 * key blocks on the unique index until the first commits, then sees it: so one key loads once.
 * Returns the new import's id, or null when the key already belongs to an import.
 */
export async function claimImport(client: pg.ClientBase, input: { orgId: string; format: 'csv' | 'ndjson'; fileName: string | null; idempotencyKey: string | null }): Promise<string | null> {
  const r = await client.query<{ id: string }>(
    `insert into activity_imports (org_id, format, file_name, idempotency_key) values ($1, $2, $3, $4)
     on conflict (org_id, idempotency_key) do nothing returning id`,
    [input.orgId, input.format, input.fileName, input.idempotencyKey],
  );
  return r.rows[0]?.id ?? null;
}

export async function completeImport(client: pg.ClientBase, importId: string, counts: { total: number; accepted: number; rejected: number; sha256: string }): Promise<void> {
  await client.query(
    `update activity_imports set status = 'complete', rows_total = $2, rows_accepted = $3, rows_rejected = $4, content_sha256 = $5, completed_at = now() where id = $1`,
    [importId, counts.total, counts.accepted, counts.rejected, counts.sha256],
  );
}
