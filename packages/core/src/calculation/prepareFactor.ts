import { Big, type Decimal } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import { gwpOf, normaliseGas, type GwpSet } from '../gwp/gases.ts';

/**
 * A factor made ready for one GWP set: the kg CO2e and the kg of each gas per unit of the factor's
 * unit. Computed once per (factor, GWP set), so the per-row work is one multiplication per value.
 */
export interface PreparedFactor {
  factor: EmissionFactor;
  gwpSetId: string;
  co2ePerUnit: Decimal;
  gasMassPerUnit: Record<string, Decimal>;
  /** How co2ePerUnit was obtained, stored on every result for the auditor. */
  co2eMethod: 'published_total' | 'published_total_gwp_restated' | 'published_total_source_gwp' | 'sum_of_gases';
}

export interface GwpSets {
  get(id: string): GwpSet | undefined;
}

export function prepareFactor(factor: EmissionFactor, gwp: GwpSet, gwpSets: GwpSets): PreparedFactor {
  const gasMassPerUnit: Record<string, Decimal> = {};
  const gases = Object.entries(factor.gases).map(([g, v]) => [normaliseGas(g), new Big(v)] as const);

  if (factor.gasBasis === 'mass') {
    let total = new Big(0);
    for (const [g, v] of gases) {
      gasMassPerUnit[g] = v;
      total = total.plus(v.times(gwpOf(gwp, g)));
    }
    if (gases.length === 0) throw new CoreError('FACTOR.NO_GASES', `factor ${factor.id} has no gas values`, { factorId: factor.id });
    // Under the source's own GWP set the published total is the authoritative figure (the sum of
    // rounded gas masses can differ from it in the last published digit).
    if (factor.co2e !== null && factor.gwpBasis === gwp.id) return { factor, gwpSetId: gwp.id, co2ePerUnit: new Big(factor.co2e), gasMassPerUnit, co2eMethod: 'published_total' };
    return { factor, gwpSetId: gwp.id, co2ePerUnit: total, gasMassPerUnit, co2eMethod: 'sum_of_gases' };
  }

  // Gas values are CO2e under the factor's own GWP basis.
  const basisId = factor.gwpBasis;
  const basis = basisId === null ? undefined : gwpSets.get(basisId);
  if (!basis) {
    throw new CoreError('FACTOR.GWP_BASIS_UNKNOWN', `factor ${factor.id} states its gases as CO2e under GWP set "${basisId}", which is not loaded`, { factorId: factor.id });
  }
  let restatement = new Big(0);
  let sumOfGases = new Big(0);
  for (const [g, v] of gases) {
    if (g === 'CO2') {
      gasMassPerUnit[g] = v;
      sumOfGases = sumOfGases.plus(v);
      continue;
    }
    const basisGwp = gwpOf(basis, g);
    gasMassPerUnit[g] = v.div(basisGwp);
    if (basis.id === gwp.id) {
      sumOfGases = sumOfGases.plus(v);
    } else {
      const restated = v.times(gwpOf(gwp, g)).div(basisGwp);
      sumOfGases = sumOfGases.plus(restated);
      restatement = restatement.plus(restated.minus(v));
    }
  }
  if (factor.co2e !== null) {
    // Keep the published total (the figure an auditor checks) and move only the non-CO2 part when
    // the run uses another GWP set than the source did.
    const published = new Big(factor.co2e);
    if (basis.id === gwp.id) return { factor, gwpSetId: gwp.id, co2ePerUnit: published, gasMassPerUnit, co2eMethod: 'published_total' };
    // A total without its gases (well-to-tank, materials, waste...) cannot be restated: it is used
    // as published, under the source's GWP set, and the result says so.
    if (gases.length === 0) return { factor, gwpSetId: gwp.id, co2ePerUnit: published, gasMassPerUnit, co2eMethod: 'published_total_source_gwp' };
    return { factor, gwpSetId: gwp.id, co2ePerUnit: published.plus(restatement), gasMassPerUnit, co2eMethod: 'published_total_gwp_restated' };
  }
  return { factor, gwpSetId: gwp.id, co2ePerUnit: sumOfGases, gasMassPerUnit, co2eMethod: 'sum_of_gases' };
}
