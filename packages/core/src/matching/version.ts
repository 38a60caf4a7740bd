/**
 * The version of what a text match answers: the engine, its normalisation, its confidence model,
 * how it reads a category profile, the bundled lexicon, the bundled code prior and the bundled labelled lines. A run records the version it matched
 * with, and an incremental run recalculates the text matches of a base run made with another
 * (`matcher_changed`), so a run never carries forward an answer today's matcher would not give.
 * Bump it with any change that alters an answer or a confidence: a test
 * (packages/factor-data/src/matcherVersion.test.ts) pins a fingerprint of the answers on the
 * development set and on the matching test's activity lines (fuels, utilities, refrigerants,
 * travel, freight, waste) and fails until both are updated.
 */
export const MATCHER_VERSION = '2026-12-02.46';
