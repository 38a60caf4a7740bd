import { Big } from '../decimal.ts';
import { GLOBAL_REGION, regionPath } from '../calculation/matchFactor.ts';
import { findUnit } from '../units/convertUnit.ts';

/**
 * How a result's factor relates to the activity: the organisation's supplier's own figure (or a
 * contractual instrument), a factor per unit of money, or a factor per physical unit.
 */
export type CalculationMethod = 'supplier_specific' | 'spend_based' | 'activity_based';
export const CALCULATION_METHODS: readonly CalculationMethod[] = ['supplier_specific', 'activity_based', 'spend_based'];

export interface FactorFacts {
  /** emission_factors.kind (published, supplier_specific, contractual_instrument, residual_mix, custom). */
  kind: string | null;
  /** Whether the factor has a price basis (spend-based). */
  hasPriceBasis: boolean;
  /** The factor's unit code. */
  unit: string;
}

/** supplier_specific for supplier-specific factors and contractual instruments; spend_based for a price basis or a currency unit; else activity_based. */
export function calculationMethodOf(f: FactorFacts): CalculationMethod {
  if (f.kind === 'supplier_specific' || f.kind === 'contractual_instrument') return 'supplier_specific';
  if (f.hasPriceBasis || findUnit(f.unit)?.dimension === 'currency') return 'spend_based';
  return 'activity_based';
}

/** A row's rating on each indicator: 1 very good ... 5 very poor (PACT / GHG Protocol data quality indicators). */
export interface DataQualityRating {
  technological: number;
  geographical: number;
  temporal: number;
}

export interface DataQualityFacts extends FactorFacts {
  /** How the factor key was chosen: match->>'method' (rule, code, text) or 'direct' for a row naming it. */
  matchMethod: string;
  factorRegion: string;
  /** Where the activity took place: its location, else its entity's country. */
  activityRegion: string | null;
  factorYear: number;
  activityYear: number;
}

/**
 * Technological: supplier-specific 1, activity-based with a specific factor 2, spend-based 4; a
 * factor chosen by text retrieval (rather than named by the row, a rule or a code) is one step
 * poorer, as the technology is inferred. Geographical: the factor's region is the activity's 1, a
 * parent region of it (US for US-EGRID-CAMX, GB for GB-LND) 2, global 3, another region (a set's only
 * region standing in, e.g. GB factors for a French site) 4; a supplier's own figure published
 * without a region counts as 2. Temporal: the factor's year is the activity's 1, 1-2 years apart 2,
 * 3-5 years 3, 6-10 years 4, more 5.
 */
export function rateDataQuality(f: DataQualityFacts): DataQualityRating {
  const method = calculationMethodOf(f);
  let technological = method === 'supplier_specific' ? 1 : method === 'spend_based' ? 4 : 2;
  if (f.matchMethod === 'text') technological = Math.min(5, technological + 1);
  const factorRegion = f.factorRegion.toUpperCase();
  const path = regionPath(f.activityRegion ?? undefined);
  let geographical: number;
  if (f.activityRegion && factorRegion === path[0]) geographical = 1;
  else if (factorRegion === GLOBAL_REGION) geographical = method === 'supplier_specific' ? 2 : 3;
  else if (path.includes(factorRegion)) geographical = 2;
  else geographical = 4;
  const gap = Math.abs(f.activityYear - f.factorYear);
  const temporal = gap === 0 ? 1 : gap <= 2 ? 2 : gap <= 5 ? 3 : gap <= 10 ? 4 : 5;
  return { technological, geographical, temporal };
}

export interface WeightedDataQuality {
  /** CO2e-weighted mean of each indicator, 2 decimal places (half-even); null when there is no CO2e to weight by. */
  technological: string | null;
  geographical: string | null;
  temporal: string | null;
  /** The mean of the three (the PACT data quality rating). */
  overall: string | null;
  /** CO2e the rating covers (rows calculated, inside the scopes). */
  co2eKg: string;
}

/** The inventory's rating: each indicator weighted by the CO2e of the rows that carry it. Exact sums, one rounding. */
export function weightedDataQuality(rows: Iterable<DataQualityRating & { co2eKg: string }>): WeightedDataQuality {
  let total = new Big(0);
  const sums = { technological: new Big(0), geographical: new Big(0), temporal: new Big(0) };
  for (const r of rows) {
    total = total.plus(r.co2eKg);
    sums.technological = sums.technological.plus(new Big(r.co2eKg).times(r.technological));
    sums.geographical = sums.geographical.plus(new Big(r.co2eKg).times(r.geographical));
    sums.temporal = sums.temporal.plus(new Big(r.co2eKg).times(r.temporal));
  }
  if (total.lte(0)) return { technological: null, geographical: null, temporal: null, overall: null, co2eKg: total.toFixed() };
  const mean = (s: InstanceType<typeof Big>) => s.div(total);
  const t = mean(sums.technological);
  const g = mean(sums.geographical);
  const m = mean(sums.temporal);
  const r2 = (x: InstanceType<typeof Big>) => x.round(2, Big.roundHalfEven).toFixed(2);
  return { technological: r2(t), geographical: r2(g), temporal: r2(m), overall: r2(t.plus(g).plus(m).div(3)), co2eKg: total.toFixed() };
}
