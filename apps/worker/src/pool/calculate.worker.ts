import { deserialize } from 'node:v8';
import { calculateActivities, createCalculationCache, createMatchEngine, rememberingMatches, type CalculationCache, type CalculationInput, type MatchEngine } from '@tally/core';
import type { EncodedChunkResults } from '@tally/db';
import { loadMatchingLexicon } from '@tally/factor-data';
import { Piscina } from 'piscina';
import { unpackActivities, type ActivityColumns } from './columnar.ts';
import { encodeResults, type ChunkCounts, type ChunkMeta } from './encodeResults.ts';

/** Everything of a calculation but its activities and the run's category profiles: the same for many chunks, of many runs. */
export type CalculationContext = Omit<CalculationInput, 'activities' | 'categoryProfiles'>;

/**
 * What a thread is given for a chunk: the activities as transferred columns, and the run's
 * context as a serialized copy in shared memory (read by every thread, copied by none), named by
 * a content key so that each thread deserializes it once.
 */
export interface ChunkTask {
  meta: ChunkMeta;
  columns: ActivityColumns;
  contextKey: string;
  context: SharedArrayBuffer;
  /** Bytes of the serialized context in the shared buffer. */
  contextBytes: number;
  /** The profiles of the run's categories that the chunk's rows name (few, copied with the task). */
  categoryProfiles?: CalculationInput['categoryProfiles'];
}

// The lexicon is read once per thread, on first use; an engine is built per distinct target list,
// rule set and use of the shipped labels (a run's factor sets and options), and reused by every
// batch of that run, remembering its answers, so each distinct row text is matched once per
// thread and run.
let lexicon: ReturnType<typeof loadMatchingLexicon> | undefined;
const engines = new Map<string, MatchEngine>();
// Per context: what the calculation keeps between a run's chunks (prepared factors, each distinct row's resolution).
const contexts = new Map<string, { context: CalculationContext; engineKey: string | undefined; cache: CalculationCache }>();

async function matcherFor(matching: NonNullable<CalculationInput['matching']>, shippedLabels: boolean, key: string): Promise<MatchEngine> {
  let engine = engines.get(key);
  if (!engine) {
    lexicon ??= loadMatchingLexicon();
    const { lexicon: entries, naics2022To2017, codePrior, examples, boundaries } = await lexicon;
    const labels = shippedLabels ? { codePrior, examples } : {};
    engine = rememberingMatches(createMatchEngine({ lexicon: entries, targets: matching.targets, rules: matching.rules, naics2022To2017, boundaries, ...labels }));
    if (engines.size >= 8) engines.clear();
    engines.set(key, engine);
  }
  return engine;
}

function contextOf(task: ChunkTask) {
  let c = contexts.get(task.contextKey);
  if (!c) {
    // Copied out of the shared buffer first: deserialize reads a plain Uint8Array.
    const context = deserialize(new Uint8Array(task.context, 0, task.contextBytes).slice()) as CalculationContext;
    const m = context.matching;
    c = { context, engineKey: m ? fnv1a(JSON.stringify([m.targets.map((t) => [t.key, t.dimensions, t.regions ?? null]), m.rules ?? [], shippedLabelsOf(context)])) : undefined, cache: createCalculationCache() };
    if (contexts.size >= 8) contexts.clear();
    contexts.set(task.contextKey, c);
  }
  return c;
}

/** What a thread answers: the encoded results, or the error the calculation threw for this data. */
export type CalculationOutcome =
  | { ok: true; results: EncodedChunkResults; counts: ChunkCounts }
  | { ok: false; error: { name: string; message: string } };

/**
 * Runs in a piscina thread: the calculation is pure; reading the lexicon at first use is the only
 * I/O. The results come back as COPY text in a buffer that is moved, not copied, to the main
 * thread. An error thrown by the calculation is returned, not thrown, so the caller can tell it
 * (the data's fault: retrying gives the same) from the pool's own errors (queue full, thread died).
 */
export default async function calculate(task: ChunkTask): Promise<CalculationOutcome | ReturnType<typeof Piscina.move>> {
  try {
    const { context, engineKey, cache } = contextOf(task);
    const matcher = context.matching && engineKey ? await matcherFor(context.matching, shippedLabelsOf(context), engineKey) : undefined;
    const results = calculateActivities({ ...context, categoryProfiles: task.categoryProfiles, activities: unpackActivities(task.columns) }, { matcher, cache });
    const { counts, ...encoded } = encodeResults(task.meta, task.columns, results);
    const outcome: CalculationOutcome = { ok: true, results: encoded, counts };
    return Piscina.move({
      [Piscina.transferableSymbol]: [encoded.copyText.buffer],
      [Piscina.valueSymbol]: outcome,
    } as never);
  } catch (e) {
    return { ok: false, error: { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) } };
  }
}

/** Whether the run's engine uses the shipped labelled lines (CalculationOptions.shippedLabels; default true). */
const shippedLabelsOf = (context: CalculationContext): boolean => context.options?.shippedLabels ?? true;

/** FNV-1a: a short cache key for a long signature. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${s.length}:${(h >>> 0).toString(16)}`;
}
