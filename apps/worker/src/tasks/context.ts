import type { ClickHouseClient } from '@tally/analytics';
import { matchTargetsOf, type CategoryProfile, type EmissionFactor, type GwpSet, type MatchTarget } from '@tally/core';
import { factorsOfSet, insertLineages, loadGwpSets, runCategoryProfileMap, type Db, type ResultLineage } from '@tally/db';
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
  /** The run's category profiles (stored when it was planned, never changed after): one object per run, which also names them in cache keys. */
  categoryProfiles(runId: string): Promise<ReadonlyMap<string, CategoryProfile>>;
  /** Stores a chunk's lineages before its rows; those this process already stored are skipped. */
  lineages: { store(runId: string, lineages: readonly ResultLineage[]): Promise<void> };
}

export function createTaskContext(db: Db, pool: CalculationPool, metrics: WorkerMetrics, logger: Logger, analytics?: ClickHouseClient): TaskContext {
  // GWP sets are immutable once stored: load them once per process.
  let gwp: Promise<GwpSet[]> | undefined;
  // Factor sets are immutable too (a new edition is a new set): cache by the run's set list.
  const matching = new Map<string, Promise<{ factors: EmissionFactor[]; targets: MatchTarget[] }>>();
  const profiles = new Map<string, Promise<ReadonlyMap<string, CategoryProfile>>>();
  // Lineages stored (committed) by this process: a run's chunks mostly repeat them.
  const stored = new Set<string>();
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
    categoryProfiles(runId) {
      let p = profiles.get(runId);
      if (!p) {
        p = runCategoryProfileMap(db.pool, runId);
        p.catch(() => profiles.delete(runId));
        if (profiles.size > 20) profiles.clear();
        profiles.set(runId, p);
      }
      return p;
    },
    lineages: {
      async store(runId, lineages) {
        const missing = lineages.filter((l) => !stored.has(`${runId}:${l.lineageId}`));
        if (missing.length === 0) return;
        await insertLineages(db.pg, runId, missing);
        if (stored.size > 200_000) stored.clear();
        for (const l of missing) stored.add(`${runId}:${l.lineageId}`);
      },
    },
  };
}
