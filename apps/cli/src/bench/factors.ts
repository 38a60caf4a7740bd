/**
 * pnpm bench:factors [--resolutions N] [--json]
 *
 * Factor resolutions per second on one thread: matchFactor (key, then region path, then nearest
 * earlier year, then unit) over the bundled DESNZ 2025, EPA Hub 2025 and OWID/Ember grid sets,
 * with every resolution uncached. Baseline in the same run: a hash lookup of a fully specified
 * (key, unit, region, year), the least work any resolver can do.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { FactorCatalogue, GRID_KEY, matchFactor, type EmissionFactor } from '@tally/core';
import { loadBundledFactorSet } from '@tally/factor-data';

const { values: args } = parseArgs({ options: { resolutions: { type: 'string', default: '500000' }, json: { type: 'boolean', default: false } } });
const N = Number(args.resolutions);

const factors: EmissionFactor[] = [];
for (const id of ['desnz-2025', 'epa-hub-2025-r2', 'owid-ember-grid-2025']) factors.push(...(await loadBundledFactorSet(id)).result.factors);
const catalogue = new FactorCatalogue(factors);

// A realistic mix: grid electricity in many countries and years (region and year resolution),
// DESNZ fuels and travel (one region), EPA combustion in the US.
const countries = [...new Set(factors.filter((f) => f.activityKey === GRID_KEY && /^[A-Z]{2}$/.test(f.region)).map((f) => f.region))];
const desnz = factors.filter((f) => f.factorSetId === 'desnz-2025').slice(0, 2000);
const hub = factors.filter((f) => f.factorSetId === 'epa-hub-2025-r2' && f.activityKey.startsWith('stationary'));
let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const cases = Array.from({ length: 10_000 }, () => {
  const p = rnd();
  if (p < 0.5) return { key: GRID_KEY, unit: 'kWh', region: countries[Math.floor(rnd() * countries.length)]!, year: 2015 + Math.floor(rnd() * 15) };
  const f = p < 0.85 ? desnz[Math.floor(rnd() * desnz.length)]! : hub[Math.floor(rnd() * hub.length)]!;
  return { key: f.activityKey, unit: f.unit, region: p < 0.85 ? 'GB' : 'US', year: 2024 };
});

const t0 = performance.now();
let matched = 0;
for (let i = 0; i < N; i++) {
  const c = cases[i % cases.length]!;
  if (matchFactor(c.key, c.unit, catalogue, { region: c.region, year: c.year }).kind === 'exact') matched++;
}
const resolveSeconds = (performance.now() - t0) / 1000;

const index = new Map(factors.map((f) => [`${f.activityKey}|${f.unit}|${f.region}|${f.year}`, f]));
const exactKeys = cases.map((c) => {
  const m = matchFactor(c.key, c.unit, catalogue, { region: c.region, year: c.year });
  return m.kind === 'exact' ? `${m.factor.activityKey}|${m.factor.unit}|${m.factor.region}|${m.factor.year}` : '';
});
const t1 = performance.now();
let found = 0;
for (let i = 0; i < N; i++) if (index.get(exactKeys[i % exactKeys.length]!)) found++;
const lookupSeconds = (performance.now() - t1) / 1000;

const result = {
  resolutions: N,
  resolutionsPerSecondPerThread: Math.round(N / resolveSeconds),
  baselineLookupsPerSecond: Math.round(N / lookupSeconds),
  ratio: Number((resolveSeconds / lookupSeconds).toFixed(1)),
  matchedShare: Number((matched / N).toFixed(4)),
  factors: factors.length,
};
if (!args.json) {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}; catalogue: ${factors.length} factors (DESNZ 2025, EPA Hub 2025, OWID/Ember grid)`);
  console.log(`factor resolution (key → region path → nearest earlier year → unit), uncached, one thread: ${result.resolutionsPerSecondPerThread.toLocaleString('en')}/s (${(result.matchedShare * 100).toFixed(1)}% matched, found ${found === N ? 'all' : found} in the baseline)`);
  console.log(`baseline, hash lookup of a fully specified (key, unit, region, year): ${result.baselineLookupsPerSecond.toLocaleString('en')}/s; ratio ${result.ratio}`);
} else console.log(JSON.stringify(result));
