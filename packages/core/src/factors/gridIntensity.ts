import { Big, isDecimalString } from '../decimal.ts';
import type { EmissionFactor, FactorSetMeta } from './emissionFactor.ts';
import { GLOBAL_REGION } from '../calculation/matchFactor.ts';

export const GRID_KEY = 'electricity/grid-average-location-based';

export interface GridSkipped {
  line: number;
  reason: 'AGGREGATE' | 'UNKNOWN_COUNTRY' | 'NO_VALUE';
  detail: string;
}

/**
 * Country-year average grid intensity (OWID export of Ember and Energy Institute data, gCO2e per
 * kWh generated, lifecycle) as location-based Scope 2 factors per kWh, one per country and year;
 * the world series becomes the GLOBAL fallback. Regional aggregates are skipped with a reason.
 */
export function parseGridIntensity(records: readonly Record<string, string>[], meta: FactorSetMeta, alpha3ToAlpha2: (code: string) => string | undefined): { factors: EmissionFactor[]; skipped: GridSkipped[] } {
  const factors: EmissionFactor[] = [];
  const skipped: GridSkipped[] = [];
  records.forEach((r, i) => {
    const line = i + 2;
    const code = (r.Code ?? '').trim();
    const entity = (r.Entity ?? '').trim();
    const raw = (r.carbon_intensity ?? '').trim();
    let region: string | undefined;
    if (code === 'OWID_WRL') region = GLOBAL_REGION;
    else if (code === '' || code.startsWith('OWID_')) {
      skipped.push({ line, reason: 'AGGREGATE', detail: `${entity}: a regional aggregate, not a country` });
      return;
    } else region = alpha3ToAlpha2(code);
    if (!region) {
      skipped.push({ line, reason: 'UNKNOWN_COUNTRY', detail: `${entity}: ISO code ${code} has no alpha-2 equivalent` });
      return;
    }
    if (!isDecimalString(raw)) {
      skipped.push({ line, reason: 'NO_VALUE', detail: `${entity} ${r.Year}: "${raw}" is not a number` });
      return;
    }
    const year = Number(r.Year);
    factors.push({
      id: `${meta.id}:${region}:${year}`,
      factorSetId: meta.id,
      activityKey: GRID_KEY,
      name: `Electricity grid average, ${entity} ${year}`,
      scope: 2,
      category: '2 Purchased electricity',
      region,
      year,
      unit: 'kWh',
      co2e: new Big(raw).div(1000).toFixed(),
      gasBasis: 'co2e',
      gwpBasis: meta.gwpBasis,
      gases: {},
      sourceRef: `${code} ${year}`,
      sourceRows: [{ line, id: `${code}:${year}`, ghg: 'gCO2e/kWh', value: raw }],
    });
  });
  return { factors, skipped };
}
