import type { ClickHouseClient } from '@tally/analytics';
import { matchTargetsOf, type EmissionFactor, type GwpSet, type MatchTarget } from '@tally/core';
import { factorsOfSet, loadGwpSets, type Db } from '@tally/db';
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
  /** Every factor of the given sets and the match targets they make: for rows matched by text. */
  matchingData(setIds: readonly string[]): Promise<{ factors: EmissionFactor[]; targets: MatchTarget[] }>;
}

export function createTaskContext(db: Db, pool: CalculationPool, metrics: WorkerMetrics, logger: Logger, analytics?: ClickHouseClient): TaskContext {
  // GWP sets are immutable once stored: load them once per process.
  let gwp: Promise<GwpSet[]> | undefined;
  // Factor sets are immutable too (a new edition is a new set): cache by the run's set list.
  const matching = new Map<string, Promise<{ factors: EmissionFactor[]; targets: MatchTarget[] }>>();
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
    matchingData(setIds) {
      const k = setIds.join('\u0000');
      let p = matching.get(k);
      if (!p) {
        p = Promise.all(setIds.map((id) => factorsOfSet(db.pool, id))).then((lists) => {
          const factors = lists.flat();
          return { factors, targets: matchTargetsOf(factors) };
        });
        p.catch(() => matching.delete(k));
        if (matching.size > 20) matching.clear();
        matching.set(k, p);
      }
      return p;
    },
  };
}
