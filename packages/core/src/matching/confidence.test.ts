import { describe, expect, it } from 'vitest';
import { CONFIDENCE_MODEL, confidenceOf, type ConfidenceFeatures } from './confidence.ts';

const sure: ConfidenceFeatures = { coverage: 1, phraseCoverage: 1, margin: 1, agree: true };

describe('confidenceOf', () => {
  it('is high for a text that says what one phrase says and nothing else comes near, and in (0, 1)', () => {
    expect(confidenceOf(sure)).toBeGreaterThan(0.9);
    expect(confidenceOf(sure)).toBeLessThan(1);
    expect(confidenceOf({ coverage: 0, phraseCoverage: 0, margin: -1, agree: false })).toBeGreaterThan(0);
  });

  it('rises with the lead, the agreement of phrase and document, and how much of the phrase the text covers', () => {
    expect(confidenceOf({ ...sure, margin: 0.2 })).toBeLessThan(confidenceOf({ ...sure, margin: 0.6 }));
    expect(confidenceOf({ ...sure, agree: false })).toBeLessThan(confidenceOf(sure));
    expect(confidenceOf({ ...sure, phraseCoverage: 0.3 })).toBeLessThan(confidenceOf(sure));
  });

  it('is the logistic of the weighted evidence, to 4 decimals', () => {
    const f: ConfidenceFeatures = { coverage: 0.5, phraseCoverage: 0.25, margin: 0.1, agree: true };
    const m = CONFIDENCE_MODEL;
    const z = m.intercept + m.coverage * 0.5 + m.phraseCoverage * 0.25 + m.margin * 0.1 + m.agree;
    expect(confidenceOf(f)).toBe(Math.round((1 / (1 + Math.exp(-z))) * 1e4) / 1e4);
    expect(confidenceOf(f, { ...m, intercept: m.intercept + 1 })).toBeGreaterThan(confidenceOf(f));
  });
});
