import type { EmissionFactor, MatchOutcome } from '@tally/core';
import type { LabelledItem } from '@tally/factor-data';

export interface MatchScores {
  /** Distinct labelled items scored. */
  items: number;
  /** Share of items answered right at top-1: the chosen key is `naics-2017/<label>`, or, for an item labelled -1/-2/-3, no match (key null). */
  top1: number;
  /**
   * Share of items right within the top 5. A labelled item: its key is among the first 5
   * alternatives (chosen or not). An item labelled -1/-2/-3: no match was chosen, or no
   * alternative reaches the threshold (confidence >= threshold), so nothing would be auto-accepted.
   */
  top5: number;
  /** Share of items where the no-match decision (key null) agrees with the label being -1/-2/-3. */
  noMatchAccuracy: number;
  /** Share of items auto-accepted: a key chosen with confidence >= threshold. */
  autoCoverage: number;
  /** Share of the auto-accepted items that are right (0 when none is). */
  autoPrecision: number;
  /**
   * Mean |EPA v1.2 with-margins factor of the chosen code − the label's factor| in kg CO2e per 2021
   * USD, over labelled items with a chosen key (0 when there are none).
   */
  factorMae: number;
  positives: number;
  negatives: number;
  autoAccepted: number;
  /** Items in factorMae, and chosen keys with no v1.2 purchaser-price factor (left out of it). */
  factorMaeItems: number;
  factorMissing: number;
  threshold: number;
}

const NAICS_TARGET = /^naics-2017\/(\d{6})$/;

/**
 * Scores the engine's outcomes (one per item, same order) against the labels. `factorsV12` is the
 * EPA supply chain v1.2 set (the labels' factors are its with-margins values).
 */
export function scoreMatches(items: readonly LabelledItem[], outcomes: readonly MatchOutcome[], factorsV12: readonly EmissionFactor[], threshold: number): MatchScores {
  if (items.length !== outcomes.length) throw new Error(`scoreMatches: ${items.length} items but ${outcomes.length} outcomes`);
  const v12 = new Map<string, number>();
  for (const f of factorsV12) {
    const m = /^naics-2017\/(\d{6})\/purchaser-price$/.exec(f.activityKey);
    if (m && f.co2e !== null) v12.set(m[1]!, Number(f.co2e));
  }

  let top1 = 0;
  let top5 = 0;
  let noMatchAgrees = 0;
  let autoAccepted = 0;
  let autoRight = 0;
  let errorSum = 0;
  let errorItems = 0;
  let factorMissing = 0;
  let positives = 0;
  items.forEach((item, i) => {
    const o = outcomes[i]!;
    const wanted = item.label === null ? null : `naics-2017/${item.label}`;
    const right = o.key === wanted;
    if (right) top1++;
    if (wanted === null ? o.key === null || o.alternatives.every((a) => a.confidence < threshold) : o.alternatives.slice(0, 5).some((a) => a.key === wanted)) top5++;
    if ((o.key === null) === (wanted === null)) noMatchAgrees++;
    if (o.key !== null && o.confidence >= threshold) {
      autoAccepted++;
      if (right) autoRight++;
    }
    if (item.label !== null) {
      positives++;
      if (o.key !== null) {
        const chosen = NAICS_TARGET.exec(o.key)?.[1];
        const factor = chosen === undefined ? undefined : v12.get(chosen);
        // the file's factor for the label, or EPA v1.2's when the file gives none
        const labelled = item.labelFactor === null ? v12.get(item.label) : Number(item.labelFactor);
        if (factor === undefined || labelled === undefined) factorMissing++;
        else {
          errorSum += Math.abs(factor - labelled);
          errorItems++;
        }
      }
    }
  });
  const n = items.length;
  const share = (k: number, of: number) => (of === 0 ? 0 : k / of);
  return {
    items: n,
    top1: share(top1, n),
    top5: share(top5, n),
    noMatchAccuracy: share(noMatchAgrees, n),
    autoCoverage: share(autoAccepted, n),
    autoPrecision: share(autoRight, autoAccepted),
    factorMae: share(errorSum, errorItems),
    positives,
    negatives: n - positives,
    autoAccepted,
    factorMaeItems: errorItems,
    factorMissing,
    threshold,
  };
}
