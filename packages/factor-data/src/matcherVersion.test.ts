import { createHash } from 'node:crypto';
import { createMatchEngine, MATCHER_VERSION, matchTargetsOf } from '@tally/core';
import { describe, expect, it } from 'vitest';
import { AUSTIN_DEV_FILE, itemCategoryProfiles, loadBundledFactorSet, loadLabelledItems, loadMatchingLexicon } from './index.ts';

/**
 * What the matcher answers on the development set, as one digest: when it changes, text matches
 * may change, and runs must be able to tell (incremental runs recalculate the text matches of a
 * run of another matcher version). Update both together.
 */
const PINNED = { version: '2026-12-02.35', answers: 'f0621ac7dc4c9c25d6156aec27bce665e73a67710b0191bbc86e57f4eb9a7c58' };

describe('the matcher version', () => {
  it("changes whenever the matcher's answers do", async () => {
    const [{ lexicon, naics2022To2017, codePrior, examples, boundaries }, v13, items] = await Promise.all([loadMatchingLexicon(), loadBundledFactorSet('epa-sc-v1.3.0'), loadLabelledItems(AUSTIN_DEV_FILE)]);
    const engine = createMatchEngine({ lexicon, targets: matchTargetsOf(v13.result.factors), naics2022To2017, codePrior, examples, boundaries });
    // With the category profiles the benchmark gives (NIGP class and item), so that they are pinned too.
    const profiles = itemCategoryProfiles(items, 5);
    const answers = items.map((i, n) => {
      const o = engine.match({ description: i.description, unit: 'USD', categoryProfile: profiles[n] });
      return [o.key, o.method, o.confidence, o.alternatives.map((a) => [a.key, a.confidence])];
    });
    const digest = createHash('sha256').update(JSON.stringify(answers)).digest('hex');
    const hint = `the matcher's answers changed: bump MATCHER_VERSION (packages/core/src/matching/version.ts) and set PINNED here to { version: MATCHER_VERSION, answers: '${digest}' }`;
    expect({ version: MATCHER_VERSION, answers: digest }, hint).toEqual(PINNED);
  });
});
