export * from './client.ts';
export * from './exportRun.ts';
export * from './inventory.ts';
export type { ClickHouseClient } from '@clickhouse/client';
export * from './reports.ts';
export * from './reportLines.ts';
export * from './trend.ts';
export * from './runDiff.ts';
