import { CoreError } from '../errors.ts';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import { unitConversion, type UnitConversion } from '../units/convertUnit.ts';

export type FactorMatch =
  | { kind: 'exact'; factor: EmissionFactor; conversion: UnitConversion; resolution: string }
  | { kind: 'unmatched'; reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE' | 'UNIT_INCOMPATIBLE' | 'NO_FACTOR_FOR_REGION' | 'NO_FACTOR_FOR_YEAR'; detail: string };

/** Where the activity happened and when, for choosing among a key's regional and yearly factors. */
export interface ResolutionContext {
  /** ISO 3166-1 alpha-2 country or a finer region such as US-EGRID-CAMX. */
  region?: string | undefined;
  /** Reporting year of the activity. */
  year?: number | undefined;
}

export const GLOBAL_REGION = 'GLOBAL';

/** US-EGRID-CAMX -> [US-EGRID-CAMX, US-EGRID, US, GLOBAL]: the region, its parents, then global. */
export function regionPath(region: string | undefined): string[] {
  if (!region) return [GLOBAL_REGION];
  const parts = region.toUpperCase().split('-');
  const path: string[] = [];
  for (let i = parts.length; i > 0; i--) path.push(parts.slice(0, i).join('-'));
  return [...path, GLOBAL_REGION];
}

/** Factors of one set, indexed by activity key and, within a key, by region. */
export class FactorCatalogue {
  readonly #byKey = new Map<string, EmissionFactor[]>();
  readonly #byKeyRegion = new Map<string, Map<string, EmissionFactor[]>>();
  constructor(factors: Iterable<EmissionFactor>) {
    for (const f of factors) {
      const list = this.#byKey.get(f.activityKey);
      if (list) list.push(f);
      else this.#byKey.set(f.activityKey, [f]);
      let regions = this.#byKeyRegion.get(f.activityKey);
      if (!regions) this.#byKeyRegion.set(f.activityKey, (regions = new Map()));
      const r = f.region.toUpperCase();
      const inRegion = regions.get(r);
      if (inRegion) inRegion.push(f);
      else regions.set(r, [f]);
    }
  }
  forKey(key: string): readonly EmissionFactor[] {
    return this.#byKey.get(key) ?? [];
  }
  /** region (upper case) -> that key's factors there. */
  regionsOf(key: string): ReadonlyMap<string, readonly EmissionFactor[]> {
    return this.#byKeyRegion.get(key) ?? new Map();
  }
}

/**
 * Exact matching by activity key (fuzzy text matching is a later stage of the cascade), then
 * resolution among the key's factors: region first (the activity's region, then its parents, then
 * global; a set that covers one region only, like DESNZ for GB, is that set's default), then year
 * (the reporting year, else the nearest earlier one, else the earliest later one, said so), then
 * unit (the activity's own unit, else one it converts to by definition). The chosen path is
 * returned as an explanation that is stored with the result.
 */
export function matchFactor(activityType: string, unit: string, catalogue: FactorCatalogue, ctx: ResolutionContext = {}): FactorMatch {
  const key = activityType.trim().toLowerCase();
  const candidates = catalogue.forKey(key);
  if (candidates.length === 0) {
    return { kind: 'unmatched', reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE', detail: `no factor for activity type "${activityType}"` };
  }
  const notes: string[] = [];
  // Region
  const byRegion = catalogue.regionsOf(key);
  const regions = new Set(byRegion.keys());
  let inRegion = candidates;
  if (regions.size > 1 || ctx.region) {
    const path = regionPath(ctx.region);
    const hit = path.find((r) => regions.has(r));
    if (hit) {
      inRegion = byRegion.get(hit) ?? [];
      notes.push(hit === path[0] ? `region ${hit}` : `region ${hit} (no factor for ${path.slice(0, path.indexOf(hit)).join(', ')})`);
    } else if (regions.size === 1) {
      // A single-region set (DESNZ: GB) used elsewhere: its factor stands in, and the result says so.
      const only = [...regions][0]!;
      notes.push(`region ${only} (the set's only region; activity in ${ctx.region ?? 'unknown region'})`);
    } else {
      return { kind: 'unmatched', reason: 'NO_FACTOR_FOR_REGION', detail: `no factor for "${activityType}" in ${path.join(' or ')} (the set covers ${[...regions].sort().slice(0, 8).join(', ')}${regions.size > 8 ? '…' : ''})` };
    }
  }
  // Year
  const years = [...new Set(inRegion.map((c) => c.year))].sort((a, b) => a - b);
  let inYear = inRegion;
  if (years.length > 1 || ctx.year !== undefined) {
    const y = ctx.year;
    let chosen: number | undefined;
    if (y === undefined) chosen = years.at(-1);
    else if (years.includes(y)) chosen = y;
    else chosen = [...years].reverse().find((x) => x < y) ?? years[0];
    if (chosen === undefined) return { kind: 'unmatched', reason: 'NO_FACTOR_FOR_YEAR', detail: `no factor year for "${activityType}"` };
    inYear = inRegion.filter((c) => c.year === chosen);
    if (years.length > 1 || chosen !== y) {
      notes.push(y === undefined || chosen === y ? `year ${chosen}` : chosen < y ? `year ${chosen} (nearest earlier than ${y})` : `year ${chosen} (earliest available; none at or before ${y})`);
    }
  }
  // Unit
  let fallback: FactorMatch | undefined;
  for (const factor of inYear) {
    try {
      const conversion = unitConversion(unit, factor.unit);
      const resolution = notes.join('; ') || 'single factor for the key';
      if (conversion.from === conversion.to) return { kind: 'exact', factor, conversion, resolution };
      fallback ??= { kind: 'exact', factor, conversion, resolution };
    } catch (e) {
      if (!(e instanceof CoreError) || e.code !== 'UNIT.INCOMPATIBLE') throw e;
    }
  }
  return (
    fallback ?? {
      kind: 'unmatched',
      reason: 'UNIT_INCOMPATIBLE',
      detail: `activity unit "${unit}" converts to none of the factor units: ${[...new Set(inYear.map((c) => c.unit))].join(', ')}`,
    }
  );
}
