import { Big, isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import { gwpOf, normaliseGas, type GwpSet } from '../gwp/gases.ts';

/**
 * Refrigerant leaks as gas masses, so that a run under any GWP set can weigh them. DESNZ publishes
 * "Refrigerant & other" factors as kg CO2e per kg of refrigerant leaked under its own GWP set; a
 * kg of a pure gas is 1 kg of that gas, and a kg of a blend is its components in their nominal mass
 * fractions (ASHRAE Standard 34). Pure logic: the composition table is read by the caller.
 */

/**
 * ASHRAE Standard 34 designations -> species as the GWP table names them (normaliseGas spelling).
 * null: a component with no 100-year GWP in the IPCC tables Tally bundles (hydrocarbons, HFOs,
 * dimethyl ether). DESNZ publishes at most NEGLIGIBLE_GWP_BOUND kg CO2e per kg for each of them, so
 * they are left out of a factor's gases (they add next to nothing under any set).
 */
const ASHRAE_COMPONENTS: Readonly<Record<string, string | null>> = {
  'R-11': 'CFC11',
  'R-12': 'CFC12',
  'R-13': 'CFC13',
  'R-113': 'CFC113',
  'R-114': 'CFC114',
  'R-115': 'CFC115',
  'R-22': 'HCFC22',
  'R-123': 'HCFC123',
  'R-124': 'HCFC124',
  'R-141b': 'HCFC141b',
  'R-142b': 'HCFC142b',
  'R-23': 'HFC23',
  'R-32': 'HFC32',
  'R-125': 'HFC125',
  'R-134a': 'HFC134a',
  'R-143a': 'HFC143a',
  'R-152a': 'HFC152a',
  'R-227ea': 'HFC227ea',
  'R-236fa': 'HFC236fa',
  'R-245fa': 'HFC245fa',
  'R-14': 'CF4',
  'R-116': 'C2F6',
  'R-218': 'C3F8',
  'R-C318': 'cC4F8',
  'R-744': 'CO2',
  'R-170': null,
  'R-290': null,
  'R-600': null,
  'R-600a': null,
  'R-601': null,
  'R-601a': null,
  'R-1270': null,
  'R-E170': null,
  'R-1234yf': null,
  'R-1234ze(E)': null,
};

/** Upper bound (kg CO2e per kg) on the GWP of the components without a value in the GWP table. */
export const NEGLIGIBLE_GWP_BOUND = '5';

const ASHRAE_BY_UPPER = new Map(Object.entries(ASHRAE_COMPONENTS).map(([k, v]) => [k.toUpperCase(), { name: k, species: v }]));

/** "R404A", "R-404A", "r 404a" -> "R404A": the spelling blends are matched on. */
export function blendKey(name: string): string {
  return name.trim().toUpperCase().replace(/[\s-]+/g, '');
}

/** The species of an ASHRAE component ("R-32" -> HFC32, "R-600a" -> null), undefined if unknown. */
export function ashraeComponentSpecies(component: string): string | null | undefined {
  const c = component.trim().toUpperCase().replace(/^R\s*-?\s*/, 'R-');
  const hit = ASHRAE_BY_UPPER.get(c);
  return hit === undefined ? undefined : hit.species;
}

/** Kyoto Protocol basket: CO2, CH4, N2O, HFCs, PFCs, SF6, NF3. HCFCs, CFCs, halons, HFEs and the rest are not. */
export function isKyotoGas(species: string): boolean {
  const s = normaliseGas(species);
  if (['CO2', 'CH4', 'CH4_fossil', 'CH4_non_fossil', 'N2O', 'SF6', 'NF3'].includes(s)) return true;
  if (/^HFC\d/.test(s)) return true;
  return /^c?C\d*F\d+$/.test(s);
}

export interface RefrigerantComponent {
  /** As the table gives it: an ASHRAE designation ("R-32") or, for a pure gas, the gas name. */
  component: string;
  /** GWP-table species, or null for a component without a GWP (counted as negligible). */
  species: string | null;
  /** Mass fraction, a decimal string in (0, 1]. */
  fraction: string;
}

export interface BlendComposition {
  /** As the table spells it ("R-410A"). */
  blend: string;
  components: RefrigerantComponent[];
  source: string;
}

/** blendKey(blend) -> composition. */
export type BlendTable = ReadonlyMap<string, BlendComposition>;

/**
 * Reads the composition table (columns blend, component, mass_fraction, source; one row per
 * component). Every fraction is an exact decimal, every component a known ASHRAE designation, and
 * each blend's fractions sum to exactly 1, or the table is refused.
 */
export function parseBlendTable(records: readonly Record<string, string>[]): BlendTable {
  const out = new Map<string, BlendComposition>();
  records.forEach((r, i) => {
    const line = i + 2;
    const blend = (r.blend ?? '').trim();
    const component = (r.component ?? '').trim();
    const fraction = (r.mass_fraction ?? '').trim();
    const source = (r.source ?? '').trim();
    if (!blend || !component) throw new CoreError('REFRIGERANT.BAD_TABLE', `blend table line ${line}: blend and component are required`, { line });
    if (!isDecimalString(fraction) || new Big(fraction).lte(0) || new Big(fraction).gt(1)) {
      throw new CoreError('REFRIGERANT.BAD_TABLE', `blend table line ${line}: mass fraction "${fraction}" of ${component} in ${blend} is not a decimal in (0, 1]`, { line });
    }
    const species = ashraeComponentSpecies(component);
    if (species === undefined) throw new CoreError('REFRIGERANT.BAD_TABLE', `blend table line ${line}: unknown component "${component}" in ${blend}`, { line });
    const key = blendKey(blend);
    let c = out.get(key);
    if (!c) out.set(key, (c = { blend, components: [], source }));
    if (c.components.some((x) => blendKey(x.component) === blendKey(component))) {
      throw new CoreError('REFRIGERANT.BAD_TABLE', `blend table line ${line}: ${component} appears twice in ${blend}`, { line });
    }
    if (source && !c.source.split('; ').includes(source)) c.source = c.source ? `${c.source}; ${source}` : source;
    c.components.push({ component, species, fraction: new Big(fraction).toFixed() });
  });
  for (const c of out.values()) {
    const sum = c.components.reduce((s, x) => s.plus(x.fraction), new Big(0));
    if (!sum.eq(1)) throw new CoreError('REFRIGERANT.BAD_TABLE', `blend ${c.blend}: mass fractions sum to ${sum.toFixed()}, not 1`, { blend: c.blend });
  }
  return out;
}

/**
 * DESNZ's three statements of a refrigerant (2022-2025): only its Kyoto-basket part, only its other
 * part (HCFCs, CFCs, HFEs, hydrocarbons...), or both. 2016-2021 publish one value, the whole gas.
 */
export type RefrigerantVariant = 'kyoto' | 'non-kyoto' | 'total';

export function desnzRefrigerantVariant(columnText: string): RefrigerantVariant | undefined {
  const t = columnText.trim().toLowerCase();
  if (t === '') return 'total';
  if (/only non-kyoto/.test(t)) return 'non-kyoto';
  if (/only kyoto/.test(t)) return 'kyoto';
  if (/^total emissions/.test(t)) return 'total';
  return undefined;
}

/** DESNZ names the GWP table does not spell the same way. */
const DESNZ_GAS_NAMES: Readonly<Record<string, string>> = {
  // DESNZ writes a capital I for the 1 of HFC-43-10mee.
  'hfc-43-i0mee': 'HFC4310mee',
  'hfc-43-10mee': 'HFC4310mee',
  'pfc-14': 'CF4',
  'pfc-116': 'C2F6',
  'pfc-218': 'C3F8',
  'pfc-318': 'cC4F8',
  'pfc-3-1-10': 'C4F10',
  'pfc-4-1-12': 'C5F12',
  'pfc-5-1-14': 'C6F14',
  'pfc-9-1-18': 'C10F18',
  perfluorocyclopropane: 'cC3F6',
  'carbon tetrachloride': 'CCl4',
  'methyl bromide': 'CH3Br',
  'methyl chloroform': 'CH3CCl3',
  'methylene chloride': 'CH2Cl2',
  'methyl chloride': 'CH3Cl',
  dimethylether: 'CH3OCH3',
  'dimethyl ether': 'CH3OCH3',
  'trifluoromethyl sulphur pentafluoride': 'SF5CF3',
  'h-galden1040x': 'HGalden1040x',
  'hg-10': 'HG10',
  'hg-01': 'HG01',
};

/**
 * Candidate species of a DESNZ pure-gas name, best first: "CFC-11/R11 = trichlorofluoromethane"
 * -> [CFC11, ...], "Perfluoromethane (PFC-14)" -> [CF4, CF4], "HFE-449sl (HFE-7100)" ->
 * [HFE449sl, HFE7100], "R290 = propane" -> [] (a hydrocarbon: no GWP in the table).
 */
export function desnzGasCandidates(name: string): string[] {
  const clean = name.trim().replace(/\*+$/, '');
  const alias = /\(([^)]+)\)/.exec(clean)?.[1];
  const parts = [clean.replace(/\([^)]*\)/g, ''), ...(alias ? [alias] : []), ...clean.split(/[/=]/).slice(1)];
  const out: string[] = [];
  for (const raw of parts) {
    const p = raw.split(/[/=]/)[0]!.trim();
    if (!p) continue;
    const explicit = DESNZ_GAS_NAMES[p.toLowerCase()];
    let species: string | null | undefined = explicit;
    if (species === undefined && /^R\s*-?\s*\d/i.test(p)) {
      // An ASHRAE number (R290, R600A, R1234yf, R11): through the designation table only, since
      // normaliseGas reads every R-number as an HFC.
      species = ashraeComponentSpecies(p);
      if (species === undefined) continue;
    }
    if (species === undefined) species = normaliseGas(p);
    if (species !== null && !out.includes(species)) out.push(species);
  }
  return out;
}

export interface GasExpansion {
  /** species -> kg of gas per kg of refrigerant leaked, for the components the variant counts that have a GWP. */
  gases: Record<string, string>;
  /** Mass fraction the variant counts but that has no GWP (hydrocarbons, HFOs...). */
  negligible: string;
}

/** The gas masses one kg of refrigerant stands for in a variant (Kyoto part, other part, or all). */
export function expandRefrigerant(components: readonly RefrigerantComponent[], variant: RefrigerantVariant): GasExpansion {
  const gases: Record<string, string> = {};
  let negligible = new Big(0);
  for (const c of components) {
    const kyoto = c.species !== null && isKyotoGas(c.species);
    const counted = variant === 'total' || (variant === 'kyoto') === kyoto;
    if (!counted) continue;
    if (c.species === null) negligible = negligible.plus(c.fraction);
    else gases[c.species] = new Big(gases[c.species] ?? '0').plus(c.fraction).toFixed();
  }
  return { gases, negligible: negligible.toFixed() };
}

export interface PublishedCheck {
  ok: boolean;
  /** sum of gas mass x GWP under the basis set. */
  implied: string;
  /** The difference allowed: 1% of the published value or half a unit (DESNZ rounds most blends to whole kg CO2e), plus the negligible part's bound. */
  tolerance: string;
}

/** Does the expansion, weighed with the source's GWP set, reproduce the published kg CO2e per kg? */
export function checkAgainstPublished(published: string, expansion: GasExpansion, basis: GwpSet): PublishedCheck {
  let implied = new Big(0);
  for (const [g, v] of Object.entries(expansion.gases)) implied = implied.plus(new Big(v).times(gwpOf(basis, g)));
  const p = new Big(published);
  const relative = p.abs().times('0.01');
  const tolerance = (relative.gt('0.5') ? relative : new Big('0.5')).plus(new Big(expansion.negligible).times(NEGLIGIBLE_GWP_BOUND));
  return { ok: implied.minus(p).abs().lte(tolerance), implied: implied.toFixed(), tolerance: tolerance.toFixed() };
}

export type RefrigerantGases = { ok: true; gases: Record<string, string>; implied: string } | { ok: false; reason: string };

/**
 * The gases a refrigerant factor can be stated in, or why it cannot: every gas must have a GWP in
 * every set a run may use (else a run under that set could not weigh it), and the gases weighed
 * with the source's own set must reproduce the published figure.
 */
export function refrigerantGases(input: {
  components: readonly RefrigerantComponent[];
  variant: RefrigerantVariant;
  published: string;
  basisId: string | null;
  gwpSets: readonly GwpSet[];
}): RefrigerantGases {
  const expansion = expandRefrigerant(input.components, input.variant);
  const species = Object.keys(expansion.gases);
  if (species.length === 0) return { ok: false, reason: `no component with a GWP in the table counts in the ${input.variant} variant` };
  for (const set of input.gwpSets) {
    const missing = species.filter((g) => g !== 'CO2' && set.values[g] === undefined);
    if (missing.length > 0) return { ok: false, reason: `${missing.join(', ')} has no ${set.id} GWP in the bundled GWP table` };
  }
  const basis = input.gwpSets.find((s) => s.id === input.basisId);
  if (!basis) return { ok: false, reason: `the source's GWP set ${input.basisId ?? '(none)'} is not loaded` };
  const check = checkAgainstPublished(input.published, expansion, basis);
  if (!check.ok) return { ok: false, reason: `gases x ${basis.id} GWP give ${check.implied}, the source publishes ${input.published} (allowed difference ${check.tolerance})` };
  return { ok: true, gases: expansion.gases, implied: check.implied };
}
