import { serialize } from 'node:v8';
import { Piscina } from 'piscina';
import type { EncodedChunkResults } from '@tally/db';
import type { WorkerMetrics } from '@tally/metrics';
import type { CalculationContext, CalculationOutcome, ChunkTask } from './calculate.worker.ts';
import { transferListOf, type ActivityColumns } from './columnar.ts';
import type { ChunkCounts, ChunkMeta } from './encodeResults.ts';

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

export interface ChunkCalculation {
  results: EncodedChunkResults;
  counts: ChunkCounts;
}

export interface CalculationPool {
  /**
   * Calculates a chunk in a thread. The columns are moved to the thread (unusable here after the
   * call); contextKey names the context's content (equal keys, equal contexts).
   */
  calculateChunk(meta: ChunkMeta, columns: ActivityColumns, contextKey: string, context: () => CalculationContext, categoryProfiles?: ChunkTask['categoryProfiles']): Promise<ChunkCalculation>;
  close(): Promise<void>;
}

/** One pool per process (several pools would contend for the same cores). */
export function createCalculationPool(threads: number, metrics: WorkerMetrics | undefined, heapMb: number): CalculationPool {
  const pool = new Piscina({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    maxQueue: 'auto',
    // A runaway batch kills its thread, not the process. The bound also keeps a thread's heap from
    // growing with the length of a run: V8 collects lazily, so without it a thread's heap grows
    // far past its live data (lexicon and engine ~30 MiB, a run's cached resolutions, a chunk).
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 48 },
  });
  // Serialized contexts in shared memory, by content key: a run's chunks share one.
  const shared = new Map<string, { buffer: SharedArrayBuffer; bytes: number }>();
  const sharedContext = (key: string, context: () => CalculationContext) => {
    let s = shared.get(key);
    if (!s) {
      const bytes = serialize(context());
      const buffer = new SharedArrayBuffer(bytes.byteLength);
      new Uint8Array(buffer).set(bytes);
      s = { buffer, bytes: bytes.byteLength };
      if (shared.size >= 8) shared.delete(shared.keys().next().value!);
      shared.set(key, s);
    }
    return s;
  };
  return {
    async calculateChunk(meta, columns, contextKey, context, categoryProfiles) {
      const end = metrics?.batchDuration.startTimer();
      try {
        const ctx = sharedContext(contextKey, context);
        const task: ChunkTask = { meta, columns, contextKey, context: ctx.buffer, contextBytes: ctx.bytes, ...(categoryProfiles && categoryProfiles.size > 0 ? { categoryProfiles } : {}) };
        const outcome = (await pool.run(task, { transferList: transferListOf(columns) })) as CalculationOutcome;
        if (!outcome.ok) throw new CalculationError(outcome.error.name, outcome.error.message);
        return { results: outcome.results, counts: outcome.counts };
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
