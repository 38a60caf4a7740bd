import { Piscina } from 'piscina';
import type { ActivityResult, CalculationInput } from '@tally/core';
import type { WorkerMetrics } from '@tally/metrics';
import type { CalculationOutcome } from './calculate.worker.ts';

// The thread entry sits next to this module: .ts when run from source (Node 24 strips types),
// .js once compiled.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER_FILE = new URL(`./calculate.worker${ext}`, import.meta.url).href;

/** The calculation itself threw for this input: deterministic, a retry gives the same error. */
export class CalculationError extends Error {
  constructor(name: string, message: string) {
    super(`${name}: ${message}`);
    this.name = 'CalculationError';
  }
}

export interface CalculationPool {
  calculate(input: CalculationInput): Promise<ActivityResult[]>;
  close(): Promise<void>;
}

/** One pool per process (several pools would contend for the same cores). */
export function createCalculationPool(threads: number, metrics?: WorkerMetrics): CalculationPool {
  const pool = new Piscina({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    maxQueue: 'auto',
    // A runaway batch kills its thread, not the process.
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  return {
    async calculate(input) {
      const end = metrics?.batchDuration.startTimer();
      try {
        const outcome = (await pool.run(input)) as CalculationOutcome;
        if (!outcome.ok) throw new CalculationError(outcome.error.name, outcome.error.message);
        return outcome.results;
      } finally {
        end?.();
        metrics?.poolQueueSize.set(pool.queueSize);
        metrics?.poolThreads.set(pool.threads.length);
      }
    },
    async close() {
      await pool.close();
    },
  };
}
