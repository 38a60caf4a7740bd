import { createHash } from 'node:crypto';
import { createMatchEngine, MATCHER_VERSION, matchTargetsOf } from '@tally/core';
import { describe, expect, it } from 'vitest';
import { AUSTIN_DEV_FILE, itemCategoryProfiles, loadBundledFactorSet, loadLabelledItems, loadMatchingLexicon } from './index.ts';
import { ACTIVITY_LINE_SETS, ACTIVITY_LINES } from './test/activityLines.ts';

/**
 * What the matcher answers on the development set's purchase lines and on the activity lines of
 * the matching test (fuels, utilities, refrigerants, travel, freight, waste on DESNZ and the EPA
 * Hub), as one digest: when it changes, text matches may change, and runs must be able to tell
 * (incremental runs recalculate the text matches of a run of another matcher version). Update both
 * together.
 */
const PINNED = { version: '2026-12-02.46', answers: 'a8ab9956bd114a512814b9302be5edc8833a7d255407921c6894e594007c991b' };

describe('the matcher version', () => {
  it("changes whenever the matcher's answers do", async () => {
    const [{ lexicon, naics2022To2017, codePrior, examples, boundaries }, v13, items] = await Promise.all([loadMatchingLexicon(), loadBundledFactorSet('epa-sc-v1.3.0'), loadLabelledItems(AUSTIN_DEV_FILE)]);
    const engineOver = (factors: Parameters<typeof matchTargetsOf>[0]) => createMatchEngine({ lexicon, targets: matchTargetsOf(factors), naics2022To2017, codePrior, examples, boundaries });
    const engine = engineOver(v13.result.factors);
    // With the category profiles the benchmark gives (NIGP class and item), so that they are pinned too.
    const profiles = itemCategoryProfiles(items, 5);
    const answers = items.map((i, n) => {
      const o = engine.match({ description: i.description, unit: 'USD', categoryProfile: profiles[n] });
      return [o.key, o.method, o.confidence, o.alternatives.map((a) => [a.key, a.confidence])];
    });
    for (const [, sets] of ACTIVITY_LINE_SETS) {
      const activities = engineOver((await Promise.all(sets.map((id) => loadBundledFactorSet(id)))).flatMap((l) => l.result.factors));
      for (const [text, unit] of ACTIVITY_LINES) {
        const o = activities.match({ description: text, unit });
        answers.push([o.key, o.method, o.confidence, o.alternatives.map((a) => [a.key, a.confidence])]);
      }
    }
    const digest = createHash('sha256').update(JSON.stringify(answers)).digest('hex');
    const hint = `the matcher's answers changed: bump MATCHER_VERSION (packages/core/src/matching/version.ts) and set PINNED here to { version: MATCHER_VERSION, answers: '${digest}' }`;
    expect({ version: MATCHER_VERSION, answers: digest }, hint).toEqual(PINNED);
  });
});
