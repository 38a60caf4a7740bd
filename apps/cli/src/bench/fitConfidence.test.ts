import { confidenceOf, type ConfidenceFeatures, type MatchOutcome } from '@tally/core';
import type { LabelledItem } from '@tally/factor-data';
import { describe, expect, it } from 'vitest';
import { confidenceSamples, crossHalfCheck, fitLogistic, hashHalf } from './fitConfidence.ts';

// A deterministic sample: right exactly when the lead is large, whatever the rest says.
function samples(n: number) {
  const out: { features: ConfidenceFeatures; y: 0 | 1; description: string }[] = [];
  for (let i = 0; i < n; i++) {
    const margin = (i % 10) / 10;
    const features = { coverage: ((i * 7) % 10) / 10, phraseCoverage: ((i * 3) % 10) / 10, margin, agree: i % 2 === 0 };
    out.push({ features, y: margin >= 0.5 ? 1 : 0, description: `item ${i}` });
  }
  return out;
}

describe('fitLogistic', () => {
  it('finds the evidence that tells right from wrong, and is deterministic', () => {
    const s = samples(400);
    const { model, items, right } = fitLogistic(s);
    expect(items).toBe(400);
    expect(right).toBe(200);
    expect(model.margin).toBeGreaterThan(5);
    for (const w of [model.coverage, model.phraseCoverage, model.agree]) expect(Math.abs(w)).toBeLessThan(model.margin / 4);
    expect(confidenceOf({ ...s[9]!.features }, model)).toBeGreaterThan(0.8);
    expect(confidenceOf({ ...s[1]!.features }, model)).toBeLessThan(0.2);
    expect(fitLogistic(s)).toEqual({ model, items, right });
  });
});

describe('confidenceSamples and crossHalfCheck', () => {
  const item = (description: string, label: string | null): LabelledItem => ({ description, label, labelFactor: label ? '1' : null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] });
  const text = (key: string, margin: number): MatchOutcome => ({ key, title: key, method: 'text', confidence: 0.5, alternatives: [], evidence: { coverage: 1, phraseCoverage: 1, margin, agree: true } });

  it('takes the text matches only, right when the key is the label', () => {
    const items = [item('a', '332913'), item('b', '332913'), item('c', null), item('d', '541511')];
    const outcomes: MatchOutcome[] = [text('naics-2017/332913', 0.9), text('naics-2017/326122', 0.1), { key: null, title: null, method: 'none', confidence: 1, alternatives: [], evidence: {} }, text('naics-2017/541511', 0.5)];
    const s = confidenceSamples(items, outcomes);
    expect(s.map((x) => [x.description, x.y, x.features.margin])).toEqual([
      ['a', 1, 0.9],
      ['b', 0, 0.1],
      ['d', 1, 0.5],
    ]);
  });

  it('splits by a stable hash and reports each half with the fitted and the given model', () => {
    expect(hashHalf('COUPLING SCH 40 PVC 3 SLIP')).toBe(hashHalf('COUPLING SCH 40 PVC 3 SLIP'));
    const s = samples(200);
    const checks = crossHalfCheck(s, 0.8, fitLogistic(s).model);
    expect(checks.map((c) => c.half)).toEqual([0, 1]);
    expect(checks[0]!.items + checks[1]!.items).toBe(200);
    for (const c of checks) {
      expect(c.fitted.accepted).toBeGreaterThan(0);
      expect(c.fitted.precision).toBe(1);
    }
  });
});
