import { createHash } from 'node:crypto';
import { CONFIDENCE_INPUTS, confidenceInputs, confidenceOf, type ConfidenceFeatures, type ConfidenceModel, type MatchOutcome } from '@tally/core';
import type { LabelledItem } from '@tally/factor-data';

/**
 * Fitting the confidence model (packages/core/src/matching/confidence.ts) on a labelled file: a
 * logistic regression of "the chosen key is the label" on the evidence of each text match, by
 * batch gradient descent from zero (deterministic: the same file gives the same weights).
 */

export interface FittedModel {
  model: ConfidenceModel;
  /** Text matches the model was fitted on, and the share of them right. */
  items: number;
  right: number;
}

/** Features and outcome (1: right) of each item the engine matched by text. */
export interface ConfidenceSample {
  features: ConfidenceFeatures;
  /** 1 when the chosen key is the label. */
  y: 0 | 1;
  description: string;
}

export function confidenceSamples(items: readonly LabelledItem[], outcomes: readonly MatchOutcome[]): ConfidenceSample[] {
  const out: ConfidenceSample[] = [];
  items.forEach((item, i) => {
    const o = outcomes[i]!;
    const e = o.evidence;
    if (o.method !== 'text' || o.key === null || e.coverage === undefined || e.phraseCoverage === undefined || e.margin === undefined) return;
    // The features describe the text's own best key: where the category's words chose another, they say nothing of it.
    if (e.category?.changed) return;
    const features: ConfidenceFeatures = { coverage: e.coverage, phraseCoverage: e.phraseCoverage, margin: e.margin, agree: e.agree === true };
    out.push({ features, y: o.key === `naics-2017/${item.label}` ? 1 : 0, description: item.description });
  });
  return out;
}

/** Logistic regression with a small L2 penalty on the weights (not the intercept). */
export function fitLogistic(samples: readonly Pick<ConfidenceSample, 'features' | 'y'>[], { l2 = 0.001, iterations = 20_000, rate = 0.5 } = {}): FittedModel {
  const d = CONFIDENCE_INPUTS.length;
  const xs = samples.map((s) => confidenceInputs(s.features));
  const w = new Float64Array(d + 1); // last: intercept
  const g = new Float64Array(d + 1);
  const n = samples.length;
  for (let it = 0; it < iterations && n > 0; it++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const y = samples[i]!.y;
      let z = w[d]!;
      for (let j = 0; j < d; j++) z += w[j]! * x[j]!;
      const err = 1 / (1 + Math.exp(-z)) - y;
      for (let j = 0; j < d; j++) g[j]! += err * x[j]!;
      g[d]! += err;
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * (g[j]! / n + l2 * w[j]!);
    w[d]! -= (rate * g[d]!) / n;
  }
  const round3 = (v: number) => Math.round(v * 1000) / 1000;
  const model = { intercept: round3(w[d]!) } as Record<string, number>;
  CONFIDENCE_INPUTS.forEach((name, j) => (model[name] = round3(w[j]!)));
  return { model: model as ConfidenceModel, items: n, right: samples.filter((s) => s.y === 1).length };
}

/**
 * Which of `folds` hash folds of a file an item is in (md5 of its description): a split every run
 * reproduces. Two folds are the hash halves (hashHalf).
 */
export const hashFold = (description: string, folds: number): number => createHash('md5').update(description).digest().readUInt32BE(12) % folds;

/** Which hash half of a file an item is in: hashFold with two folds. */
export const hashHalf = (description: string): 0 | 1 => hashFold(description, 2) as 0 | 1;

export interface HeldOutCheck {
  half: 0 | 1;
  /** Items of that half matched by text. */
  items: number;
  fitted: { accepted: number; precision: number };
  current: { accepted: number; precision: number };
}

/** Fitted on one half, applied to the other: share of the half's text matches at or above the threshold and the share of those right, beside the current model's. */
export function crossHalfCheck(samples: readonly ConfidenceSample[], threshold: number, current: ConfidenceModel): HeldOutCheck[] {
  return ([0, 1] as const).map((half) => {
    const train = samples.filter((s) => hashHalf(s.description) !== half);
    const test = samples.filter((s) => hashHalf(s.description) === half);
    const { model } = fitLogistic(train);
    const at = (m: ConfidenceModel) => {
      const accepted = test.filter((s) => confidenceOf(s.features, m) >= threshold);
      return { accepted: accepted.length, precision: accepted.length === 0 ? 0 : accepted.filter((s) => s.y === 1).length / accepted.length };
    };
    return { half, items: test.length, fitted: at(model), current: at(current) };
  });
}
