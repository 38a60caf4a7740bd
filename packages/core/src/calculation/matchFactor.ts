import { CoreError } from '../errors.ts';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import { unitConversion, type UnitConversion } from '../units/convertUnit.ts';

export type FactorMatch =
  | { kind: 'exact'; factor: EmissionFactor; conversion: UnitConversion }
  | { kind: 'unmatched'; reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE' | 'UNIT_INCOMPATIBLE'; detail: string };

/** Factors of one set, indexed by activity key. */
export class FactorCatalogue {
  readonly #byKey = new Map<string, EmissionFactor[]>();
  constructor(factors: Iterable<EmissionFactor>) {
    for (const f of factors) {
      const list = this.#byKey.get(f.activityKey);
      if (list) list.push(f);
      else this.#byKey.set(f.activityKey, [f]);
    }
  }
  forKey(key: string): readonly EmissionFactor[] {
    return this.#byKey.get(key) ?? [];
  }
}

/**
 * Exact matching by activity key (fuzzy text matching is a later stage of the cascade). Among the
 * key's factors, the one in the activity's own unit wins; else the first one whose unit the
 * activity converts to by definition (litres -> m3, kWh -> kWh (Gross CV)...).
 */
export function matchFactor(activityType: string, unit: string, catalogue: FactorCatalogue): FactorMatch {
  const candidates = catalogue.forKey(activityType.trim().toLowerCase());
  if (candidates.length === 0) {
    return { kind: 'unmatched', reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE', detail: `no factor for activity type "${activityType}"` };
  }
  let fallback: FactorMatch | undefined;
  for (const factor of candidates) {
    try {
      const conversion = unitConversion(unit, factor.unit);
      if (conversion.from === conversion.to) return { kind: 'exact', factor, conversion };
      fallback ??= { kind: 'exact', factor, conversion };
    } catch (e) {
      if (!(e instanceof CoreError) || e.code !== 'UNIT.INCOMPATIBLE') throw e;
    }
  }
  return (
    fallback ?? {
      kind: 'unmatched',
      reason: 'UNIT_INCOMPATIBLE',
      detail: `activity unit "${unit}" converts to none of the factor units: ${[...new Set(candidates.map((c) => c.unit))].join(', ')}`,
    }
  );
}
