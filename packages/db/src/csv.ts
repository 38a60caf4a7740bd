import { stringify } from 'csv-stringify/sync';

/** A cell: empty for null and undefined. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * RFC 4180 CSV of a header and rows (CRLF line ends, a field quoted when it holds a comma, a quote
 * or a line break), as the report and review downloads give it.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  // csv-stringify quotes a field holding the whole record delimiter only: a lone CR or LF must be quoted too.
  return stringify([header, ...rows], { record_delimiter: 'windows', quoted_match: /[\r\n]/, cast: { boolean: (b) => String(b) } });
}
