/**
 * pnpm bench:matching [--file PATH] [--json] [--threshold X] [--category-digits N] [--code-prior shipped|cross|none] [--examples shipped|cross|none] [--folds N] [--fit-confidence] [--strict]
 *
 * Accuracy and speed of factor matching on a labelled purchase file (default: the shipped City of
 * Austin development set). The engine is built once from the shipped lexicon (Census 2017 index,
 * NAICS 2017 titles, CaML) and the EPA supply chain v1.3.0 targets, with no organisation rules;
 * each distinct COMMODITY_DESCRIPTION is matched as a spend line (unit USD, the description, no
 * codes), with the profile of its category (categoryProfile.ts in @tally/core), as a calculation
 * run gives it: the buyer's category is the first N digits (--category-digits, default 5: the
 * NIGP class and item of Austin's COMMODITY codes; 0: no categories) of the item's first COMMODITY
 * code, and its profile is built from the file's items of that category. The engine ranks close
 * keys with a code prior (codePrior.ts in @tally/core): --code-prior shipped, the one a run uses
 * (counted on the Austin development set), the default for any other file; cross, the default for
 * the development set itself, where the shipped prior would be scored on the items it counted:
 * each item is matched with the prior of the other hash folds' items (hashFold; --folds, default
 * 2: the hash halves), so every figure is on items the prior has not seen; none, text alone. The
 * labelled lines are also example phrases of their keys (examples.ts in @tally/core), chosen by
 * --examples the same way: shipped (the Austin development set's, as a run has them; the default
 * for any other file), cross (the other folds'; the default for the development set) or none.
 * With more folds each item is matched with more of the other lines, nearer to what a run has on
 * lines it has never seen (all 914): 10 folds use nine tenths of them, 2 folds half. Figures (see
 * scoreMatches.ts for the exact definitions):
 * - top1: the chosen key is `naics-2017/<label>`; an item labelled -1/-2/-3 is right when the
 *   engine answers no match.
 * - top5: the label is among the 5 alternatives; an item labelled -1/-2/-3 is right when no match
 *   is chosen or no alternative reaches the threshold (confidence >= threshold).
 * - noMatchAccuracy: the no-match decision (key null) agrees with the label being -1/-2/-3.
 * - autoCoverage / autoPrecision at the threshold (the engine's autoAcceptThreshold unless
 *   --threshold): share of items with a key and confidence >= threshold / share of those right.
 * - factorMae: mean |EPA v1.2 with-margins factor of the chosen code − the label's factor|, kg CO2e
 *   per 2021 USD, over labelled items with a chosen key.
 * - matchesPerSecond: distinct items matched per second on one thread, every match fresh (no cache
 *   across repeats), the item list repeated until at least 2 s have passed. Also, as
 *   matchesPerCpuSecond, the same matches per second of this thread's CPU time
 *   (process.threadCpuUsage), which other processes on a shared machine do not slow.
 * Baseline in the same run: a hash-map lookup of each item's normalised description among the
 * lexicon's exact phrases, the least work a text matcher can do.
 * Rows of the file that cannot be scored (no description, a code that is no NAICS-6 or -1/-2/-3,
 * a factor that is no number, a second label for a description) are listed on stderr with their
 * file, line and column and left out; with --strict the first of them ends the run.
 * --fit-confidence: also fits the confidence model on the file (fitConfidence.ts) and prints it,
 * with a check on held-out data: fitted on one hash half, applied to the other, beside the
 * engine's model on the same half.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIDENCE_MODEL, createMatchEngine, lendsWords, matchTargetsOf, type CategoryProfile, type MatchEngine, type MatchOutcome, type MatchQuery } from '@tally/core';
import { AUSTIN_DEV_FILE, codePriorOf, examplesOf, itemCategoryProfiles, loadBundledFactorSet, loadLabelledItems, loadMatchingLexicon } from '@tally/factor-data';
import { confidenceSamples, crossHalfCheck, fitLogistic, hashFold } from './fitConfidence.ts';
import { scoreMatches } from './scoreMatches.ts';

const { values: args } = parseArgs({ options: { file: { type: 'string', default: AUSTIN_DEV_FILE }, json: { type: 'boolean', default: false }, threshold: { type: 'string' }, 'fit-confidence': { type: 'boolean', default: false }, strict: { type: 'boolean', default: false }, 'category-digits': { type: 'string', default: '5' }, 'code-prior': { type: 'string' }, examples: { type: 'string' }, folds: { type: 'string', default: '2' } } });
// pnpm runs the script in the repository's root: a relative path is read from where pnpm was called (INIT_CWD).
const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.file);
const fail = (message: string): never => {
  console.error(`bench:matching: ${message}`);
  process.exit(1);
};
const givenThreshold = args.threshold === undefined ? undefined : Number(args.threshold);
if (givenThreshold !== undefined && !(givenThreshold >= 0 && givenThreshold <= 1)) fail(`--threshold: "${args.threshold}" is not a number in [0, 1]`);
const categoryDigits = Number(args['category-digits']);
if (!Number.isInteger(categoryDigits) || categoryDigits < 0) fail(`--category-digits: "${args['category-digits']}" is not a whole number >= 0`);
const codePriorMode = args['code-prior'] ?? (file === resolve(AUSTIN_DEV_FILE) ? 'cross' : 'shipped');
if (codePriorMode !== 'shipped' && codePriorMode !== 'cross' && codePriorMode !== 'none') fail(`--code-prior: "${codePriorMode}" is not shipped, cross or none`);
const examplesMode = args.examples ?? (file === resolve(AUSTIN_DEV_FILE) ? 'cross' : 'shipped');
if (examplesMode !== 'shipped' && examplesMode !== 'cross' && examplesMode !== 'none') fail(`--examples: "${examplesMode}" is not shipped, cross or none`);

const folds = Number(args.folds);
if (!Number.isInteger(folds) || folds < 2) fail(`--folds: "${args.folds}" is not a whole number >= 2`);

const problems: string[] = [];
const tLoad = performance.now();
const [{ lexicon, naics2022To2017, codePrior, examples, boundaries }, v13, v12, items] = await Promise.all([
  loadMatchingLexicon(),
  loadBundledFactorSet('epa-sc-v1.3.0'),
  loadBundledFactorSet('epa-sc-v1.2'),
  loadLabelledItems(file, args.strict ? {} : { problems }).catch((e: unknown) => fail((e as Error).message)),
]);
if (problems.length > 0) {
  console.error(`bench:matching: ${problems.length} row(s) of ${file} left out:`);
  for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
  if (problems.length > 20) console.error(`  … and ${problems.length - 20} more`);
}
const targets = matchTargetsOf(v13.result.factors);
const loadSeconds = (performance.now() - tLoad) / 1000;

const tBuild = performance.now();
// Speed is measured with the shipped prior and examples whenever they are used: the cross engines cost the same.
const engine = createMatchEngine({ lexicon, targets, naics2022To2017, codePrior: codePriorMode === 'none' ? undefined : codePrior, examples: examplesMode === 'none' ? undefined : examples, boundaries });
const buildSeconds = (performance.now() - tBuild) / 1000;
/** The engine that scores an item: with --code-prior or --examples cross, the one whose prior or examples are the other hash folds'. */
const engineOf: (description: string) => MatchEngine =
  codePriorMode === 'cross' || examplesMode === 'cross'
    ? (() => {
        const byFold = Array.from({ length: folds }, (_, fold) => {
          const others = items.filter((i) => hashFold(i.description, folds) !== fold);
          const prior = codePriorMode === 'cross' ? codePriorOf(others) : codePriorMode === 'shipped' ? codePrior : undefined;
          const lines = examplesMode === 'cross' ? examplesOf(others) : examplesMode === 'shipped' ? examples : undefined;
          return createMatchEngine({ lexicon, targets, naics2022To2017, codePrior: prior, examples: lines, boundaries });
        });
        return (d: string) => byFold[hashFold(d, folds)]!;
      })()
    : () => engine;

const threshold = givenThreshold ?? engine.autoAcceptThreshold;

// Each item's category profile, as planning a run builds it from the run's activities.
const profiles = itemCategoryProfiles(items, categoryDigits);
const queries: MatchQuery[] = items.map((i, n) => ({ description: i.description, unit: 'USD', categoryProfile: profiles[n] }));
/** The items' profiles that lend words (a category shares one object). */
const lending = profiles.filter((p): p is CategoryProfile => p !== undefined && lendsWords(p));
const outcomes: MatchOutcome[] = queries.map((q) => engineOf(q.description!).match(q));
const scores = scoreMatches(items, outcomes, v12.result.factors, threshold);

// Speed: whole passes over the items until 2 s have passed; each match is computed afresh.
let matches = 0;
const t0 = performance.now();
const cpu0 = process.threadCpuUsage();
let matchSeconds: number;
do {
  for (const q of queries) engine.match(q);
  matches += queries.length;
  matchSeconds = (performance.now() - t0) / 1000;
} while (matchSeconds < 2);
const cpu = process.threadCpuUsage(cpu0);
const matchCpuSeconds = (cpu.user + cpu.system) / 1e6;

// Baseline: the same number of lookups of the normalised description in a map of exact phrases.
const exact = new Map<string, string>();
for (const e of lexicon) {
  const p = e.phrase.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!exact.has(p)) exact.set(p, e.key);
}
const descriptions = items.map((i) => i.description);
let found = 0;
const t1 = performance.now();
for (let i = 0; i < matches; i++) if (exact.get(descriptions[i % descriptions.length]!.toLowerCase().replace(/\s+/g, ' ').trim()) !== undefined) found++;
const lookupSeconds = (performance.now() - t1) / 1000;
const exactHits = descriptions.filter((d) => exact.has(d.toLowerCase().replace(/\s+/g, ' ').trim())).length;

const round = (x: number, d = 4) => Number(x.toFixed(d));
const matchesPerSecond = Math.round(matches / matchSeconds);
const matchesPerCpuSecond = Math.round(matches / matchCpuSeconds);
const baselineLookupsPerSecond = Math.round(matches / lookupSeconds);
const result = {
  items: scores.items,
  top1: round(scores.top1),
  top5: round(scores.top5),
  noMatchAccuracy: round(scores.noMatchAccuracy),
  autoCoverage: round(scores.autoCoverage),
  autoPrecision: round(scores.autoPrecision),
  factorMae: round(scores.factorMae),
  matchesPerSecond,
  matchesPerCpuSecond,
  threshold,
  positives: scores.positives,
  negatives: scores.negatives,
  autoAccepted: scores.autoAccepted,
  factorMaeItems: scores.factorMaeItems,
  baselineLookupsPerSecond,
  ratio: round(baselineLookupsPerSecond / matchesPerSecond, 1),
  exactPhraseHits: exactHits,
  buildSeconds: round(buildSeconds, 3),
  loadSeconds: round(loadSeconds, 3),
  rowsLeftOut: problems.length,
  categoryDigits,
  codePrior: codePriorMode,
  folds,
  examples: examplesMode,
  /** Categories whose profile lends words (two or more distinct descriptions), and the items in them. */
  categories: new Set(lending).size,
  categorisedItems: lending.length,
  lexicon: lexicon.length,
  targets: targets.length,
  cpus: cpus().length,
  node: process.versions.node,
};
if (args['fit-confidence']) {
  const samples = confidenceSamples(items, outcomes);
  const fitted = fitLogistic(samples);
  console.log(`confidence model fitted on ${fitted.items} text matches (${fitted.right} right): ${JSON.stringify(fitted.model)}`);
  console.log(`the engine's model: ${JSON.stringify(CONFIDENCE_MODEL)}`);
  for (const c of crossHalfCheck(samples, threshold, CONFIDENCE_MODEL)) {
    const f = (a: { accepted: number; precision: number }) => `${a.accepted} (${((a.accepted / c.items) * 100).toFixed(1)}%) at precision ${a.precision.toFixed(3)}`;
    console.log(`hash half ${c.half} (${c.items} text matches), confidence >= ${threshold}: fitted on the other half ${f(c.fitted)}; the engine's model ${f(c.current)}`);
  }
}
if (args.json) console.log(JSON.stringify(result));
else {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}`);
  console.log(`file: ${file}: ${scores.items} distinct items (${scores.positives} labelled with a code, ${scores.negatives} with -1/-2/-3)`);
  console.log(`engine: ${lexicon.length.toLocaleString('en')} lexicon entries, ${targets.length.toLocaleString('en')} EPA v1.3.0 targets; built in ${(buildSeconds * 1000).toFixed(0)} ms (data loaded in ${(loadSeconds * 1000).toFixed(0)} ms)`);
  console.log(
    codePriorMode === 'cross'
      ? `code prior: each item ranked with the prior of ${folds === 2 ? 'the other hash half' : `the other ${folds - 1} of ${folds} hash folds`} of this file (--code-prior cross)`
      : codePriorMode === 'shipped'
        ? `code prior: the shipped one (${codePrior.size} keys, counted on the Austin development set)`
        : 'code prior: none',
  );
  console.log(
    examplesMode === 'cross'
      ? `labelled lines as examples: each item matched with ${folds === 2 ? "the other hash half's" : `the other ${folds - 1} of ${folds} hash folds'`} (--examples cross)`
      : examplesMode === 'shipped'
        ? `labelled lines as examples: the shipped ones (${examples.length}, the Austin development set's)`
        : 'labelled lines as examples: none',
  );
  console.log(categoryDigits > 0 ? `categories: the first ${categoryDigits} digits of COMMODITY; ${result.categories} with a profile, holding ${result.categorisedItems} items` : 'categories: none (--category-digits 0)');
  console.log(`top-1 ${pct(scores.top1)}, top-5 ${pct(scores.top5)}, no-match decision agrees ${pct(scores.noMatchAccuracy)}`);
  console.log(`auto-accept at confidence >= ${threshold}: coverage ${pct(scores.autoCoverage)} (${scores.autoAccepted} items), precision ${pct(scores.autoPrecision)}`);
  console.log(`factor error: mean |v1.2 factor of the chosen code − label's| = ${scores.factorMae.toFixed(4)} kg CO2e/USD2021 over ${scores.factorMaeItems} items`);
  console.log(`speed, one thread, uncached: ${matchesPerSecond.toLocaleString('en')} items/s (${matches.toLocaleString('en')} matches in ${matchSeconds.toFixed(2)} s); ${matchesPerCpuSecond.toLocaleString('en')} per second of the thread's CPU time`);
  console.log(`baseline, hash lookup of the normalised description among exact phrases: ${baselineLookupsPerSecond.toLocaleString('en')}/s; ratio ${result.ratio} (an exact phrase for ${exactHits} of ${scores.items} items; ${found.toLocaleString('en')} hits)`);
}
