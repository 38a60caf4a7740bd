import { createTypeParserPreset } from 'slonik';
import type { DriverTypeParser } from 'slonik';

/**
 * Audit numbers stay exact: numeric comes back as its decimal string (slonik's default is
 * parseFloat), int8 as a string (ids and counts cross JSON and worker threads as strings), and
 * dates as their ISO text.
 */
export const typeParsers: readonly DriverTypeParser[] = [
  ...createTypeParserPreset().filter((p) => !['numeric', 'int8', 'date', 'timestamptz'].includes(p.name)),
  { name: 'numeric', parse: (v: string) => v },
  { name: 'int8', parse: (v: string) => v },
  { name: 'date', parse: (v: string) => v },
  { name: 'timestamptz', parse: (v: string) => new Date(v).toISOString() },
];
