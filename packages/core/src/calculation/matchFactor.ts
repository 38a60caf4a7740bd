import { CoreError } from '../errors.ts';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import { spendConversion, type ConversionStep, type EconomicTables } from '../spend/spendConversion.ts';
import { findUnit, unitConversion, type UnitConversion } from '../units/convertUnit.ts';

/** A unit conversion, with its steps when it took more than one (spend: exchange rate, price index). */
export type MatchConversion = UnitConversion & { steps?: ConversionStep[] };

export type FactorMatch =
  | { kind: 'exact'; factor: EmissionFactor; conversion: MatchConversion; resolution: string }
  | { kind: 'unmatched'; reason: UnmatchedReason; detail: string };

/** Why a row has no factor; the last three come from matching its text (see calculateActivities). */
export type UnmatchedReason = 'NO_FACTOR_FOR_ACTIVITY_TYPE' | 'UNIT_INCOMPATIBLE' | 'NO_FACTOR_FOR_REGION' | 'NO_FACTOR_FOR_YEAR' | 'NO_CONVERSION_DATA' | 'NO_MATCH' | 'NEEDS_REVIEW' | 'NO_MATCHER';

/** Where the activity happened and when, for choosing among a key's regional and yearly factors. */
export interface ResolutionContext {
  /** ISO 3166-1 alpha-2 country or a finer region such as US-EGRID-CAMX. */
  region?: string | undefined;
  /** Reporting year of the activity. */
  year?: number | undefined;
  /** The activity's supplier: supplier-specific factors apply only to their supplier's lines. */
  supplier?: string | undefined;
  /** Exchange rates and price indices, for spend against per-currency factors. */
  economics?: EconomicTables | undefined;
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
  readonly #supplierKeys = new Set<string>();
  constructor(factors: Iterable<EmissionFactor>) {
    for (const f of factors) {
      if (f.supplier) this.#supplierKeys.add(f.activityKey);
      const list = this.#byKey.get(f.activityKey);
      if (list) list.push(f);
      else this.#byKey.set(f.activityKey, [f]);
    }
    for (const [key, list] of this.#byKey) this.#byKeyRegion.set(key, groupByRegion(list));
  }
  forKey(key: string): readonly EmissionFactor[] {
    return this.#byKey.get(key) ?? [];
  }
  /** Whether any factor of the key is supplier-specific. */
  hasSupplierFactors(key: string): boolean {
    return this.#supplierKeys.has(key);
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
  // Supplier-specific factors apply to their supplier's lines only, and win there.
  let pool = candidates;
  let byRegion = catalogue.regionsOf(key);
  if (catalogue.hasSupplierFactors(key)) {
    const supplier = ctx.supplier?.trim().toLowerCase();
    const own = supplier ? candidates.filter((c) => c.supplier?.trim().toLowerCase() === supplier) : [];
    pool = own.length > 0 ? own : candidates.filter((c) => !c.supplier);
    if (own.length > 0) notes.push(`supplier-specific factor of ${own[0]!.supplier}`);
    if (pool.length === 0) return { kind: 'unmatched', reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE', detail: `"${activityType}" has only supplier-specific factors, none for supplier "${ctx.supplier ?? ''}"` };
    byRegion = groupByRegion(pool);
  }
  // Region
  const regions = new Set(byRegion.keys());
  let inRegion = pool;
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
  let conversionError: string | undefined;
  for (const factor of inYear) {
    try {
      const conversion = factor.priceBasis && findUnit(unit)?.dimension === 'currency' ? spendToFactor(unit, factor, ctx) : unitConversion(unit, factor.unit);
      const resolution = notes.join('; ') || 'single factor for the key';
      if (conversion.from === conversion.to) return { kind: 'exact', factor, conversion, resolution };
      fallback ??= { kind: 'exact', factor, conversion, resolution };
    } catch (e) {
      if (e instanceof CoreError && e.code.startsWith('SPEND.')) conversionError = e.message;
      else if (!(e instanceof CoreError) || e.code !== 'UNIT.INCOMPATIBLE') throw e;
    }
  }
  if (!fallback && conversionError) return { kind: 'unmatched', reason: 'NO_CONVERSION_DATA', detail: conversionError };
  return (
    fallback ?? {
      kind: 'unmatched',
      reason: 'UNIT_INCOMPATIBLE',
      detail: `activity unit "${unit}" converts to none of the factor units: ${[...new Set(inYear.map((c) => c.unit))].join(', ')}`,
    }
  );
}

function groupByRegion(factors: readonly EmissionFactor[]): Map<string, EmissionFactor[]> {
  const m = new Map<string, EmissionFactor[]>();
  for (const f of factors) {
    const r = f.region.toUpperCase();
    const list = m.get(r);
    if (list) list.push(f);
    else m.set(r, [f]);
  }
  return m;
}

/** Spend in a currency against a per-currency factor of a base year: the exchange-rate and price-index chain. */
function spendToFactor(unit: string, factor: EmissionFactor, ctx: ResolutionContext): MatchConversion {
  const basis = factor.priceBasis!;
  const from = findUnit(unit)!.currency!;
  if (ctx.year === undefined) throw new CoreError('SPEND.NO_YEAR', `spend in ${from} needs the year it was spent to be converted to ${basis.year} ${basis.currency}`);
  const c = spendConversion({ currency: from, year: ctx.year }, basis, ctx.economics ?? { exchangeRates: [], priceIndices: [] });
  const assumption = c.notes.length > 0 ? c.notes.join('; ') : undefined;
  const base = { from: findUnit(unit)!.code, to: factor.unit, multiplier: c.multiplier, steps: c.steps };
  return assumption ? { ...base, assumption } : base;
}

/**
 * Resolution over several factor sets in priority order (an organisation's own factors first,
 * then the published sets of the run): the first set that resolves the activity wins, and when
 * none does, the most telling reason is kept (a set that has the key beats one that does not).
 */
export function matchFactorInSets(activityType: string, unit: string, catalogues: readonly FactorCatalogue[], ctx: ResolutionContext = {}): FactorMatch {
  let best: FactorMatch | undefined;
  for (const catalogue of catalogues) {
    const m = matchFactor(activityType, unit, catalogue, ctx);
    if (m.kind === 'exact') return m;
    if (!best || (best.kind === 'unmatched' && best.reason === 'NO_FACTOR_FOR_ACTIVITY_TYPE')) best = m;
  }
  return best ?? { kind: 'unmatched', reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE', detail: `no factor for activity type "${activityType}"` };
}
