/**
 * The confidence of a text match: the estimated probability that it is right, a logistic model
 * over the retrieval evidence, fitted on the development set by `pnpm bench:matching
 * --fit-confidence` (2026-12-02). Fitted on one hash half of the set and applied to the other, it
 * accepted 11.1% and 9.0% of the text matches at 0.8 (halves 0 and 1) with precision 0.940 and
 * 0.860, where the hand-set map it replaced accepted 11.1% and 10.9% with 0.880 and 0.865. At equal
 * coverage the two rank about as well: the gain is that the confidence is now a probability.
 *
 * What it weighs, most first: the lead of the best key over the next, how much of the best phrase
 * the text covers (a phrase that names much the text does not is a guess), whether the best phrase
 * and the best whole document agree, and how much of the text the phrase covers. Only shares and
 * leads, which mean the same in a lexicon of ten phrases or twenty thousand. A prior for goods over
 * services was tried as a feature too: it helped on the development set (purchases of goods) and
 * held merchants such as "Lufthansa" or "Marriott" below 0.8, so it is left to the ranking
 * (engine.ts), where a text that names a service lifts it.
 */
export const CONFIDENCE_MODEL = {
  intercept: -1.577,
  coverage: 0.046,
  phraseCoverage: 1.305,
  margin: 2.598,
  agree: 0.496,
} as const;

export interface ConfidenceFeatures {
  /** Share of the text's weight the key's best phrase covers, in [0, 1]. */
  coverage: number;
  /** Share of the best phrase's own weight the text covers, in [0, 1]. */
  phraseCoverage: number;
  /** (score − next key's score) / top score: the lead, negative for keys below the top. */
  margin: number;
  /** The best phrase and the best whole document name this key. */
  agree: boolean;
}

export type ConfidenceModel = { readonly [K in keyof typeof CONFIDENCE_MODEL]: number };

/** The features as the model's inputs, in the order of CONFIDENCE_INPUTS. */
export const CONFIDENCE_INPUTS = ['coverage', 'phraseCoverage', 'margin', 'agree'] as const;

export function confidenceInputs(f: ConfidenceFeatures): number[] {
  return [f.coverage, f.phraseCoverage, f.margin, f.agree ? 1 : 0];
}

/** The model's estimate, rounded to 4 decimals (what results store and reviewers see). */
export function confidenceOf(f: ConfidenceFeatures, model: ConfidenceModel = CONFIDENCE_MODEL): number {
  const x = confidenceInputs(f);
  let z = model.intercept;
  CONFIDENCE_INPUTS.forEach((name, i) => (z += model[name] * x[i]!));
  return Math.round((1 / (1 + Math.exp(-z))) * 1e4) / 1e4;
}
