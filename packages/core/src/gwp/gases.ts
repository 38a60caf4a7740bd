import { CoreError } from '../errors.ts';

/** Emissions a source publishes only as CO2e (no gas named): GWP 1 under every set. */
export const CO2E_PSEUDO_GAS = 'CO2e_unspecified';

/**
 * Gas names as the GWP tables spell them (openclimatedata: no hyphens, "HFC134a"). Factor sources
 * write "HFC-134a", "R-134a", "Methane"...; normaliseGas maps them onto one spelling.
 */
const NAMED: Readonly<Record<string, string>> = {
  co2: 'CO2',
  'carbon dioxide': 'CO2',
  ch4: 'CH4',
  methane: 'CH4',
  'ch4 fossil': 'CH4_fossil',
  'fossil ch4': 'CH4_fossil',
  'ch4 non fossil': 'CH4_non_fossil',
  'biogenic ch4': 'CH4_non_fossil',
  n2o: 'N2O',
  'nitrous oxide': 'N2O',
  sf6: 'SF6',
  'sulphur hexafluoride': 'SF6',
  'sulfur hexafluoride': 'SF6',
  nf3: 'NF3',
  'nitrogen trifluoride': 'NF3',
  // PFCs by chemical name (EPA) -> the GWP tables' formulae
  'carbon tetrafluoride': 'CF4',
  'perfluoromethane': 'CF4',
  hexafluoroethane: 'C2F6',
  perfluoroethane: 'C2F6',
  perfluoropropane: 'C3F8',
  perfluorobutane: 'C4F10',
  perfluorocyclobutane: 'cC4F8',
  perfluoropentane: 'C5F12',
  perfluorohexane: 'C6F14',
  // EPA's "HFCs and PFCs, unspecified" is published already as CO2e: a pseudo-gas with GWP 1.
  'hfcs and pfcs, unspecified': CO2E_PSEUDO_GAS,
};

export function normaliseGas(name: string): string {
  const trimmed = name.trim();
  const lower = trimmed.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  const named = NAMED[lower];
  if (named) return named;
  // HFC-134a, HFC 134a, R-134a, R134a -> HFC134a ; PFC-14 -> PFC14 ; HCFC-22 -> HCFC22
  const compact = trimmed.replace(/[\s-]+/g, '');
  const refrigerant = /^R(\d{2,3}[a-z]{0,2})$/i.exec(compact);
  if (refrigerant?.[1] && !/^R4\d\d/i.test(compact) && !/^R5\d\d/i.test(compact)) {
    return `HFC${refrigerant[1]}`;
  }
  const family = /^(HFC|HCFC|CFC|PFC|HFO|HFE|Halon)(.+)$/i.exec(compact);
  if (family?.[1] && family[2]) {
    const fam = family[1].toUpperCase() === 'HALON' ? 'Halon' : family[1].toUpperCase();
    return fam + family[2];
  }
  return compact;
}

export interface GwpSet {
  /** e.g. "AR5" */
  id: string;
  name: string;
  horizonYears: number;
  source: string;
  /** gas (normalised) -> GWP as a decimal string; CO2 is 1 by definition. */
  values: Readonly<Record<string, string>>;
}

export function gwpOf(set: GwpSet, gas: string): string {
  const g = normaliseGas(gas);
  if (g === 'CO2' || g === CO2E_PSEUDO_GAS) return '1';
  const v = set.values[g];
  if (v === undefined) {
    throw new CoreError('GWP.MISSING', `GWP set ${set.id} has no value for gas ${gas}`, { gwpSet: set.id, gas });
  }
  return v;
}
