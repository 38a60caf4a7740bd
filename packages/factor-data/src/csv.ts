import { parse, type Options } from 'csv-parse/sync';

/**
 * A CSV as records keyed by its header (BOM and blank lines skipped; published files' ragged rows
 * tolerated unless `options` says otherwise).
 */
export const readCsv = (bytes: Buffer | string, options: Options = {}) =>
  parse(bytes, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, ...options }) as unknown as Record<string, string>[];
