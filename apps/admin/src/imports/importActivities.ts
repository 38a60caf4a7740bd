import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { ACTIVITY_FIELDS, validateActivityRecord, type FieldError } from '@tally/core';
import { claimImport, completeImport, copyRows, entityLookup, findImportByKey, inPgTransaction, listRejections, type Db, type ImportRow } from '@tally/db';
import { ProblemError } from '../http/problem.ts';

export type ImportFormat = 'csv' | 'ndjson';

export interface ImportSummary {
  importId: string;
  status: string;
  format: ImportFormat;
  fileName: string | null;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  contentSha256: string;
  /** The first rejections; all of them are at GET .../activity-imports/{id}/rejections. */
  rejections: { line: number; errors: { field: string; reason: string }[] }[];
  ignoredColumns: string[];
}

export interface ImportOutcome {
  summary: ImportSummary;
  replayed: boolean;
}

const REQUIRED_COLUMNS = ['entity', 'activity_type', 'quantity', 'unit'];
const KNOWN_COLUMNS = new Set<string>(['entity_code', ...ACTIVITY_FIELDS]);
/** Rejected rows are kept in memory until the COPY ends; past this the upload is refused whole. */
export const MAX_REJECTED_ROWS = 100_000;
const SAMPLE = 20;

interface Rejection {
  line: number;
  errors: FieldError[];
  raw: unknown;
}

const normaliseHeader = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** Records with their 1-based file line, from CSV (header row first) or NDJSON. */
async function* records(body: Readable, format: ImportFormat, columns: { seen: string[] }): AsyncGenerator<{ line: number; record: Record<string, unknown> } | { line: number; error: string }> {
  if (format === 'csv') {
    const parser = body.pipe(
      parseCsv({
        bom: true,
        columns: (header: string[]) => {
          const names = header.map(normaliseHeader);
          columns.seen = names;
          const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c) && !(c === 'entity' && names.includes('entity_code')));
          if (!names.includes('date') && !names.includes('period_start')) missing.push('date (or period_start and period_end)');
          if (missing.length > 0) {
            throw new ProblemError(400, 'urn:tally:problem:import-header', 'Missing columns', `line 1: the CSV header lacks ${missing.join(', ')}`, { line: 1, missing });
          }
          return names;
        },
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
      }),
    );
    try {
      for await (const item of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number; invalid_field_length: number } }>) {
        if (item.info.invalid_field_length > 0) {
          yield { line: item.info.lines, error: `row has ${Object.keys(item.record).length === columns.seen.length ? 'a different number of' : 'missing or extra'} fields compared with the header` };
        } else {
          yield { line: item.info.lines, record: item.record };
        }
      }
    } catch (e) {
      if (e instanceof ProblemError) throw e;
      const err = e as { code?: string; lines?: number; message: string };
      throw new ProblemError(400, 'urn:tally:problem:import-syntax', 'Malformed CSV', `line ${err.lines ?? '?'}: ${err.message}`, { line: err.lines ?? null, code: err.code ?? null });
    }
    return;
  }
  const rl = createInterface({ input: body, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { line, error: `not valid JSON: ${(e as Error).message}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, error: 'each line must be one JSON object' };
      continue;
    }
    yield { line, record: value as Record<string, unknown> };
  }
}

function toSummary(row: ImportRow, rejections: ImportSummary['rejections'], ignoredColumns: string[]): ImportSummary {
  return {
    importId: row.id,
    status: row.status,
    format: row.format,
    fileName: row.fileName,
    rowsTotal: row.rowsTotal,
    rowsAccepted: row.rowsAccepted,
    rowsRejected: row.rowsRejected,
    contentSha256: row.contentSha256 ?? '',
    rejections,
    ignoredColumns,
  };
}

async function drainAndHash(body: Readable): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of body) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Loads one upload in one transaction: the import row, every accepted row (COPY, streamed) and
 * every rejected row with its line and reasons. Either all of it is stored or none. With an
 * idempotency key, the same content again replays the first answer; other content is refused.
 */
export async function importActivities(
  db: Db,
  input: { orgId: string; format: ImportFormat; fileName: string | null; idempotencyKey: string | null; body: Readable },
): Promise<ImportOutcome> {
  const entities = await entityLookup(db.pool, input.orgId);
  // One transaction: the claim, the COPY of accepted rows, the rejections and the summary commit
  // together (inPgTransaction also survives a connection lost mid-upload).
  const loaded = await inPgTransaction(db.pg, async (client): Promise<ImportOutcome | null> => {
    const importId = await claimImport(client, input);
    // Claimed before (same Idempotency-Key): answered below, outside this empty transaction.
    if (importId === null) return null;

    const hash = createHash('sha256');
    const tap = new PassThrough();
    input.body.on('data', (c: Buffer) => hash.update(c));
    input.body.on('error', (e) => tap.destroy(e));
    input.body.pipe(tap);

    const rejected: Rejection[] = [];
    let total = 0;
    const columns = { seen: [] as string[] };
    async function* accepted() {
      for await (const item of records(tap, input.format, columns)) {
        total++;
        if ('error' in item) {
          rejected.push({ line: item.line, errors: [{ line: item.line, field: '(row)', reason: item.error }], raw: null });
        } else {
          const v = validateActivityRecord(item.record, item.line, { entities });
          if (v.ok) {
            const r = v.row;
            yield [input.orgId, importId, r.line, r.entityId, r.periodStart, r.periodEnd, r.activityType, r.quantity, r.unit, r.description, r.supplier, r.amount, r.currency, r.account, r.category, r.attributes];
          } else {
            rejected.push({ line: item.line, errors: v.errors, raw: item.record });
          }
        }
        if (rejected.length > MAX_REJECTED_ROWS) {
          throw new ProblemError(422, 'urn:tally:problem:too-many-rejections', 'Too many rejected rows', `more than ${MAX_REJECTED_ROWS} rows were rejected (the first at line ${rejected[0]?.line}); nothing was loaded: fix the file and upload it again`);
        }
      }
    }
    const acceptedCount = await copyRows(
      client,
      'activities',
      ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'description', 'supplier', 'amount', 'currency', 'account', 'category', 'attributes'],
      accepted(),
    );
    for (let i = 0; i < rejected.length; i += 5000) {
      const batch = rejected.slice(i, i + 5000);
      await client.query(
        `insert into import_rejections (import_id, line_no, errors, raw)
         select $1, line_no, errors, raw from unnest($2::int[], $3::jsonb[], $4::jsonb[]) as t(line_no, errors, raw)`,
        [importId, batch.map((r) => r.line), batch.map((r) => JSON.stringify(r.errors.map(({ field, reason }) => ({ field, reason })))), batch.map((r) => JSON.stringify(r.raw))],
      );
    }
    const sha256 = hash.digest('hex');
    await completeImport(client, importId, { total, accepted: acceptedCount, rejected: rejected.length, sha256 });
    const ignoredColumns = columns.seen.filter((c) => !KNOWN_COLUMNS.has(c));
    return {
      replayed: false,
      summary: {
        importId,
        status: 'complete',
        format: input.format,
        fileName: input.fileName,
        rowsTotal: total,
        rowsAccepted: acceptedCount,
        rowsRejected: rejected.length,
        contentSha256: sha256,
        rejections: rejected.slice(0, SAMPLE).map((r) => ({ line: r.line, errors: r.errors.map(({ field, reason }) => ({ field, reason })) })),
        ignoredColumns,
      },
    };
  });
  if (loaded) return loaded;
  const existing = await findImportByKey(db.pool, input.orgId, input.idempotencyKey ?? '');
  const sha = await drainAndHash(input.body);
  if (!existing) throw new ProblemError(409, 'urn:tally:problem:idempotency-conflict', 'Conflict', 'an upload with this Idempotency-Key is in progress; retry later');
  if (existing.contentSha256 !== sha) {
    throw new ProblemError(422, 'urn:tally:problem:idempotency-mismatch', 'Idempotency-Key reused', `Idempotency-Key "${input.idempotencyKey}" was already used for different content (import ${existing.id})`, { importId: existing.id });
  }
  const sample = await listRejections(db.pool, existing.id, 0, SAMPLE);
  return { summary: toSummary(existing, sample.map((r) => ({ line: r.lineNo, errors: r.errors })), []), replayed: true };
}
