import { Big, toResultString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import type { EmissionFactor, Scope } from '../factors/emissionFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { FactorCatalogue, matchFactor } from './matchFactor.ts';
import { prepareFactor, type PreparedFactor } from './prepareFactor.ts';

export interface ActivityInput {
  /** Activity id as a decimal string (bigint in the store). */
  id: string;
  activityType: string;
  quantity: string;
  unit: string;
  /** Where (entity country or finer region) and when (reporting year), for factor resolution. */
  region?: string | undefined;
  year?: number | undefined;
}

export interface CalculationInput {
  activities: ActivityInput[];
  /** The factors of the run's factor set that this batch may need. */
  factors: EmissionFactor[];
  gwpSetId: string;
  /** The run's GWP set and every set a factor names as its basis. */
  gwpSets: GwpSet[];
}

export interface CalculatedResult {
  activityId: string;
  status: 'calculated';
  factorId: string;
  factorSetId: string;
  factorSourceRef: string;
  scope: Scope | null;
  category: string;
  unitFrom: string;
  unitTo: string;
  unitMultiplier: string;
  unitAssumption: string | null;
  /** How the factor was chosen among the key's regions and years. */
  resolution: string;
  gwpSetId: string;
  co2eMethod: PreparedFactor['co2eMethod'];
  co2eKg: string;
  /** kg of each gas emitted (mass, not CO2e). */
  gasKg: Record<string, string>;
}

export interface UnmatchedResult {
  activityId: string;
  status: 'unmatched' | 'failed';
  reason: string;
  detail: string;
  gwpSetId: string;
}

export type ActivityResult = CalculatedResult | UnmatchedResult;

/**
 * Calculates a batch. Pure and deterministic: results depend only on the inputs, each value is
 * rounded once (half-even, RESULT_DP places), so sums of results do not depend on batch order.
 */
export function calculateActivities(input: CalculationInput): ActivityResult[] {
  const sets = new Map(input.gwpSets.map((s) => [s.id, s]));
  const gwp = sets.get(input.gwpSetId);
  if (!gwp) throw new CoreError('GWP.UNKNOWN_SET', `GWP set "${input.gwpSetId}" is not loaded`, { gwpSetId: input.gwpSetId });
  const catalogue = new FactorCatalogue(input.factors);
  const prepared = new Map<string, PreparedFactor>();
  // Rows repeat: resolve each distinct (type, unit, region, year) once per batch.
  const matches = new Map<string, ReturnType<typeof matchFactor>>();

  return input.activities.map((a): ActivityResult => {
    const mk = `${a.activityType}\u0000${a.unit}\u0000${a.region ?? ''}\u0000${a.year ?? ''}`;
    let match = matches.get(mk);
    if (!match) matches.set(mk, (match = matchFactor(a.activityType, a.unit, catalogue, { region: a.region, year: a.year })));
    if (match.kind === 'unmatched') {
      return { activityId: a.id, status: 'unmatched', reason: match.reason, detail: match.detail, gwpSetId: gwp.id };
    }
    let p = prepared.get(match.factor.id);
    if (!p) {
      try {
        p = prepareFactor(match.factor, gwp, sets);
      } catch (e) {
        if (e instanceof CoreError) return { activityId: a.id, status: 'failed', reason: e.code, detail: e.message, gwpSetId: gwp.id };
        throw e;
      }
      prepared.set(match.factor.id, p);
    }
    const q = new Big(a.quantity).times(match.conversion.multiplier);
    const gasKg: Record<string, string> = {};
    for (const [g, perUnit] of Object.entries(p.gasMassPerUnit)) gasKg[g] = toResultString(q.times(perUnit));
    return {
      activityId: a.id,
      status: 'calculated',
      factorId: match.factor.id,
      factorSetId: match.factor.factorSetId,
      factorSourceRef: match.factor.sourceRef,
      scope: match.factor.scope,
      category: match.factor.category,
      unitFrom: match.conversion.from,
      unitTo: match.conversion.to,
      unitMultiplier: match.conversion.multiplier,
      unitAssumption: match.conversion.assumption ?? null,
      resolution: match.resolution,
      gwpSetId: gwp.id,
      co2eMethod: p.co2eMethod,
      co2eKg: toResultString(q.times(p.co2ePerUnit)),
      gasKg,
    };
  });
}
