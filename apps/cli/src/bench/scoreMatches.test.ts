import { parseEpaSupplyChain, type MatchOutcome } from '@tally/core';
import type { LabelledItem } from '@tally/factor-data';
import { describe, expect, it } from 'vitest';
import { scoreMatches } from './scoreMatches.ts';

// v1.2-like factors: purchaser price (with margins) is what the labels carry; producer price must be ignored.
const v12 = parseEpaSupplyChain({
  meta: { id: 'epa-sc-v1.2', source: 'test', edition: 'v1.2', publicationYear: 2021, licence: 'test', region: 'US', gwpBasis: 'AR5' },
  currencyYear: 2021,
  co2e: [
    ['111110', '1.223', '1.326'],
    ['111120', '1.223', '1.326'],
    ['111130', '2.874', '3.007'],
    ['111140', '0.700', '0.826'],
  ].map(([code, producer, purchaser]) => ({
    '2017 NAICS Code': code!,
    '2017 NAICS Title': `T${code}`,
    GHG: 'All GHGs',
    Unit: 'kg CO2e/2021 USD, purchaser price',
    'Supply Chain Emission Factors without Margins': producer!,
    'Supply Chain Emission Factors with Margins': purchaser!,
    'Reference USEEIO Code': 'X',
  })),
});

const item = (description: string, label: string | null, labelFactor: string | null = label ? '1.326' : null): LabelledItem => ({ description, label, labelFactor, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] });
const outcome = (key: string | null, confidence: number, alternatives: [string, number][]): MatchOutcome => ({
  key,
  title: key,
  method: key ? 'text' : 'none',
  confidence,
  alternatives: alternatives.map(([k, c]) => ({ key: k, title: k, confidence: c })),
  evidence: {},
});
const n = (code: string) => `naics-2017/${code}`;

const items = [
  item('right, auto-accepted', '111110'),
  item('wrong, auto-accepted, label 6th', '111120'),
  item('wrong, label 2nd, under the threshold', '111120'),
  item('no match for a labelled item', '111110'),
  item('no match, rightly', null),
  item('negative, a weak key', null),
  item('negative, a confident key', null),
  item('a key outside NAICS', '111110'),
];
const outcomes = [
  outcome(n('111110'), 0.9, [[n('111110'), 0.9]]),
  outcome(n('111130'), 0.85, [[n('111130'), 0.85], [n('111140'), 0.3], [n('111150'), 0.2], [n('111160'), 0.15], [n('111191'), 0.12], [n('111120'), 0.1]]),
  outcome(n('111140'), 0.5, [[n('111140'), 0.5], [n('111120'), 0.4]]),
  outcome(null, 0.7, [[n('111110'), 0.3]]),
  outcome(null, 0.9, []),
  outcome(n('111110'), 0.6, [[n('111110'), 0.6]]),
  outcome(n('111110'), 0.95, [[n('111110'), 0.95]]),
  outcome('fuel/diesel', 0.9, [['fuel/diesel', 0.9]]),
];

describe('scoreMatches', () => {
  it('scores each figure on a hand-made example', () => {
    const s = scoreMatches(items, outcomes, v12, 0.8);
    expect(s).toMatchObject({ items: 8, positives: 5, negatives: 3, threshold: 0.8 });
    // right: items 1 and 5
    expect(s.top1).toBe(2 / 8);
    // wrong at top 5: item 2 (label 6th), item 7 (an alternative at 0.95 >= 0.8), item 8 (label absent)
    expect(s.top5).toBe(5 / 8);
    // disagree: item 4 (no match, labelled), items 6 and 7 (a key, negative)
    expect(s.noMatchAccuracy).toBe(5 / 8);
    // auto-accepted: items 1, 2, 7, 8; right: item 1
    expect(s.autoAccepted).toBe(4);
    expect(s.autoCoverage).toBe(4 / 8);
    expect(s.autoPrecision).toBe(1 / 4);
    // |1.326 - 1.326|, |3.007 - 1.326|, |0.826 - 1.326| over items 1-3; item 8's key has no factor
    expect(s.factorMaeItems).toBe(3);
    expect(s.factorMissing).toBe(1);
    expect(s.factorMae).toBeCloseTo((0 + 1.681 + 0.5) / 3, 12);
  });

  it('takes the threshold as given', () => {
    const s = scoreMatches(items, outcomes, v12, 0.95);
    expect(s.autoCoverage).toBe(1 / 8); // item 7 only
    expect(s.autoPrecision).toBe(0);
    expect(s.top5).toBe(5 / 8); // item 7's 0.95 still reaches the threshold
    expect(scoreMatches(items, outcomes, v12, 0.96).top5).toBe(6 / 8);
  });

  it("takes a label's factor from EPA v1.2 when the file gives none", () => {
    // the label 111130 has 3.007 in v1.2; the chosen 111140 has 0.826
    const s = scoreMatches([item('no factor in the file', '111130', null)], [outcome(n('111140'), 0.5, [[n('111140'), 0.5]])], v12, 0.8);
    expect(s.factorMaeItems).toBe(1);
    expect(s.factorMae).toBeCloseTo(3.007 - 0.826, 12);
    // a label v1.2 does not have, with no factor in the file: left out of the error
    expect(scoreMatches([item('unknown label', '999999', null)], [outcome(n('111140'), 0.5, [])], v12, 0.8)).toMatchObject({ factorMaeItems: 0, factorMissing: 1 });
  });

  it('is defined on nothing, and refuses mismatched lists', () => {
    expect(scoreMatches([], [], v12, 0.8)).toMatchObject({ items: 0, top1: 0, autoPrecision: 0, factorMae: 0 });
    expect(() => scoreMatches(items, outcomes.slice(1), v12, 0.8)).toThrow('8 items but 7 outcomes');
  });
});
