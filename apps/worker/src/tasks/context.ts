import type { ClickHouseClient } from '@tally/analytics';
import type { GwpSet } from '@tally/core';
import { loadGwpSets, type Db } from '@tally/db';
import type { WorkerMetrics } from '@tally/metrics';
import type { Logger } from 'pino';
import type { CalculationPool } from '../pool/calculationPool.ts';

export interface TaskContext {
  db: Db;
  pool: CalculationPool;
  metrics: WorkerMetrics;
  logger: Logger;
  /** The analytics store, when one is configured. */
  analytics: ClickHouseClient | undefined;
  gwpSets(): Promise<GwpSet[]>;
}

export function createTaskContext(db: Db, pool: CalculationPool, metrics: WorkerMetrics, logger: Logger, analytics?: ClickHouseClient): TaskContext {
  // GWP sets are immutable once stored: load them once per process.
  let gwp: Promise<GwpSet[]> | undefined;
  return {
    db,
    pool,
    metrics,
    logger,
    analytics,
    gwpSets() {
      gwp ??= loadGwpSets(db.pool).catch((e: unknown) => {
        gwp = undefined;
        throw e;
      });
      return gwp;
    },
  };
}
