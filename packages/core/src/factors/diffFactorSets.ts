import { Big } from '../decimal.ts';
import type { EmissionFactor } from './emissionFactor.ts';

export interface FactorRef {
  activityKey: string;
  unit: string;
  region: string;
  /** Only for sets with several years of one factor (grid intensity by year). */
  year?: number;
  name: string;
  co2e: string | null;
}

export interface FactorChange extends FactorRef {
  fromId: string;
  toId: string;
  fromCo2e: string | null;
  /** to - from, kg CO2e per unit; null when either side publishes no total. */
  delta: string | null;
  /** (to - from) / from, 6 decimals; null when from is 0 or missing. */
  relative: string | null;
  /** Gases whose value changed, appeared or disappeared. */
  gasesChanged: string[];
}

export interface FactorSetDiff {
  from: string;
  to: string;
  appeared: FactorRef[];
  disappeared: FactorRef[];
  changed: FactorChange[];
  unchanged: number;
}

const place = (f: EmissionFactor) => `${f.activityKey}|${f.unit}|${f.region}`;
const same = (a: string | null | undefined, b: string | null | undefined) => (a == null || b == null ? a == b : new Big(a).eq(b));

/**
 * What changed between two editions, factor by factor, matched on (activity key, unit, region), and
 * on the year too where a set holds several years of one factor (a grid series); an edition's own
 * year is not part of the match. Changes are ordered by the size of the relative move, largest first.
 */
export function diffFactorSets(fromSetId: string, from: readonly EmissionFactor[], toSetId: string, to: readonly EmissionFactor[]): FactorSetDiff {
  // A place (key, unit, region) with several years inside one set is a series: match years too.
  const series = new Set<string>();
  for (const set of [from, to]) {
    const firstYear = new Map<string, number>();
    for (const f of set) {
      const y = firstYear.get(place(f));
      if (y === undefined) firstYear.set(place(f), f.year);
      else if (y !== f.year) series.add(place(f));
    }
  }
  const multiYear = (f: EmissionFactor) => series.has(place(f));
  const key = (f: EmissionFactor) => (multiYear(f) ? `${place(f)}|${f.year}` : place(f));
  const ref = (f: EmissionFactor): FactorRef => ({ activityKey: f.activityKey, unit: f.unit, region: f.region, ...(multiYear(f) ? { year: f.year } : {}), name: f.name, co2e: f.co2e });
  const before = new Map(from.map((f) => [key(f), f]));
  const after = new Map(to.map((f) => [key(f), f]));
  const appeared: FactorRef[] = [];
  const changed: FactorChange[] = [];
  let unchanged = 0;
  for (const [k, b] of after) {
    const a = before.get(k);
    if (!a) {
      appeared.push(ref(b));
      continue;
    }
    const gases = new Set([...Object.keys(a.gases), ...Object.keys(b.gases)]);
    const gasesChanged = [...gases].filter((g) => !same(a.gases[g], b.gases[g])).sort();
    if (same(a.co2e, b.co2e) && gasesChanged.length === 0) {
      unchanged++;
      continue;
    }
    const delta = a.co2e !== null && b.co2e !== null ? new Big(b.co2e).minus(a.co2e) : null;
    const relative = delta !== null && a.co2e !== null && !new Big(a.co2e).eq(0) ? delta.div(a.co2e).round(6).toFixed() : null;
    changed.push({ ...ref(b), fromId: a.id, toId: b.id, fromCo2e: a.co2e, delta: delta?.toFixed() ?? null, relative, gasesChanged });
  }
  const disappeared = [...before.entries()].filter(([k]) => !after.has(k)).map(([, f]) => ref(f));
  const byKey = (x: FactorRef, y: FactorRef) => x.activityKey.localeCompare(y.activityKey) || x.unit.localeCompare(y.unit) || x.region.localeCompare(y.region) || (x.year ?? 0) - (y.year ?? 0);
  const mag = (c: FactorChange) => (c.relative === null ? new Big(0) : new Big(c.relative).abs());
  changed.sort((x, y) => mag(y).cmp(mag(x)) || byKey(x, y));
  return { from: fromSetId, to: toSetId, appeared: appeared.sort(byKey), disappeared: disappeared.sort(byKey), changed, unchanged };
}
