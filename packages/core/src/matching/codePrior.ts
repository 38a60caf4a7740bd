/**
 * How often labelled purchase lines land on each factor key: a prior for the text matcher. Text
 * alone often leaves keys close ("ELBOW BRASS 90 DEG": pipe fittings, valves and pipe fittings,
 * plumbing fixture fittings); among such close keys the ones purchase lines are often labelled
 * with are more likely (PPE is surgical appliances and supplies, not apparel). Keyed by factor key,
 * counting distinct labelled descriptions. Tally ships one built from the labelled City of Austin
 * purchase lines (@tally/factor-data, codePriorOf).
 */
export type CodePrior = ReadonlyMap<string, number>;

/**
 * A key's score is multiplied by 1 + CODE_PRIOR_WEIGHT · ln(1 + its labelled lines): 1.07 for one
 * line, 1.24 for ten, 1.39 for fifty. Fitted on one hash half of the development set and scored on
 * the other: top-1 +1.1 points on both halves at 0.1 (0.05: +1.3 and +0.7, 0.15: +0.4 and +0.9,
 * 0.3: +1.7 and −1.1).
 */
export const CODE_PRIOR_WEIGHT = 0.1;

/**
 * The prior with an organisation's confirmed rules counted in, one labelled line per rule: the
 * review loop's decisions are the organisation's own conventions, so a confirmed "GLOVES NITRILE"
 * also leans the next close glove line its way. A rule for one region counts for nothing here: the
 * prior leans rows of every region. Undefined when there is neither.
 */
export function withConfirmedKeys(prior: CodePrior | undefined, rules: readonly { key: string; region?: string | null | undefined }[]): CodePrior | undefined {
  const counted = rules.filter((r) => !r.region);
  if (counted.length === 0) return prior;
  const out = new Map(prior);
  for (const r of counted) out.set(r.key, (out.get(r.key) ?? 0) + 1);
  return out;
}

/** Each target's multiplier under a prior, in the targets' order. */
export function codePriorWeights(targets: readonly { key: string }[], prior: CodePrior): Float64Array {
  return Float64Array.from(targets, (t) => 1 + CODE_PRIOR_WEIGHT * Math.log1p(prior.get(t.key) ?? 0));
}
