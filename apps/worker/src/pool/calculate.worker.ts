import { calculateActivities, createMatchEngine, rememberingMatches, type ActivityResult, type CalculationInput, type MatchEngine } from '@tally/core';
import { loadMatchingLexicon } from '@tally/factor-data';

// The lexicon is read once per thread, on first use; an engine is built per distinct target list
// and rule set (a run's factor sets), and reused by every batch of that run, remembering its
// answers, so each distinct row text is matched once per thread and run.
let lexicon: ReturnType<typeof loadMatchingLexicon> | undefined;
const engines = new Map<string, MatchEngine>();

async function matcherFor(matching: NonNullable<CalculationInput['matching']>): Promise<MatchEngine> {
  const key = fnv1a(JSON.stringify([matching.targets.map((t) => [t.key, t.dimensions]), matching.rules ?? []]));
  let engine = engines.get(key);
  if (!engine) {
    lexicon ??= loadMatchingLexicon();
    const { lexicon: entries, naics2022To2017 } = await lexicon;
    engine = rememberingMatches(createMatchEngine({ lexicon: entries, targets: matching.targets, rules: matching.rules, naics2022To2017 }));
    if (engines.size >= 8) engines.clear();
    engines.set(key, engine);
  }
  return engine;
}

/** What a thread answers: the results, or the error the calculation threw for this data. */
export type CalculationOutcome = { ok: true; results: ActivityResult[] } | { ok: false; error: { name: string; message: string } };

/**
 * Runs in a piscina thread: the calculation is pure; reading the lexicon at first use is the only
 * I/O. An error thrown by the calculation is returned, not thrown, so the caller can tell it (the
 * data's fault: retrying gives the same) from the pool's own errors (queue full, thread died).
 */
export default async function calculate(input: CalculationInput): Promise<CalculationOutcome> {
  try {
    const matcher = input.matching ? await matcherFor(input.matching) : undefined;
    return { ok: true, results: calculateActivities(input, { matcher }) };
  } catch (e) {
    return { ok: false, error: { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) } };
  }
}

/** FNV-1a: a short cache key for a long signature. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${s.length}:${(h >>> 0).toString(16)}`;
}
