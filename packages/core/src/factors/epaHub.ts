import { Big, isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import { normaliseGas, type GwpSet } from '../gwp/gases.ts';
import { findUnit } from '../units/convertUnit.ts';
import { slugify } from './desnzFlatFile.ts';
import type { EmissionFactor, FactorSetMeta, Scope } from './emissionFactor.ts';
import { ashraeComponentSpecies, refrigerantGases, type RefrigerantComponent } from './refrigerants.ts';

/**
 * US EPA GHG Emission Factors Hub (one sheet, twelve tables, read as CSV per table). Combustion and
 * travel factors are per-gas masses (CH4 and N2O printed in grams, CO2 in kg; eGRID in lb/MWh):
 * all are stored as kg of gas per unit, so CO2e follows the run's GWP set. Waste factors are
 * published as metric tons CO2e (AR4) per short ton. Gases leaked or vented (Table 11, with their
 * AR5 GWPs) and refrigerant blends (Table 12, with their compositions) are factors per kg leaked:
 * the gas masses one kg is, so a run under any GWP set weighs them (refrigerants.ts).
 */
export type EpaHubTables = Partial<Record<'table01' | 'table02' | 'table03' | 'table04' | 'table05' | 'table06' | 'table07' | 'table08' | 'table09' | 'table10' | 'table11' | 'table12', Record<string, string>[]>>;

export interface EpaHubSkipped {
  table: string;
  line: number;
  reason: 'NOT_FOR_INVENTORIES' | 'NOT_AVAILABLE' | 'NO_VALUE';
  detail: string;
}

/** A published cell as an exact decimal times `scale`; null for a blank or NA cell. */
function value(table: string, line: number, raw: string | undefined, scale = '1'): string | null {
  const v = (raw ?? '').trim();
  if (v === '' || v === 'NA') return null;
  if (!isDecimalString(v)) throw new CoreError('FACTORS.BAD_VALUE', `EPA Hub ${table} line ${line}: "${raw}" is not a number`, { table, line });
  return new Big(v).times(scale).toFixed();
}

const LB = '0.45359237';
const G = '0.001';

export function parseEpaHub(tables: EpaHubTables, meta: FactorSetMeta, opts: { gwpSets?: readonly GwpSet[] } = {}): { factors: EmissionFactor[]; skipped: EpaHubSkipped[] } {
  const factors: EmissionFactor[] = [];
  const skipped: EpaHubSkipped[] = [];

  const unitCode = (table: string, line: number, raw: string): string => {
    const t = raw.trim().toLowerCase() === 'gallon' ? 'us_gal' : raw; // US publication: US gallons
    const u = findUnit(t);
    if (!u) throw new CoreError('FACTORS.BAD_UNIT', `EPA Hub ${table} line ${line}: unknown unit "${raw}"`, { table, line });
    return u.code;
  };
  const add = (table: string, line: number, path: string[], unit: string, gases: Record<string, string | null>, scope: Scope | null, category: string, region = meta.region) => {
    const g: Record<string, string> = {};
    for (const [k, v] of Object.entries(gases)) if (v !== null) g[k] = v;
    if (Object.keys(g).length === 0) {
      skipped.push({ table, line, reason: 'NO_VALUE', detail: `${path.join(' > ')}: no value for ${unit}` });
      return;
    }
    const activityKey = path.map(slugify).join('/');
    factors.push({
      // A row's biogenic CO2 is a factor of its own beside the row's Scope 1 factor.
      id: `${meta.id}:${table}:${line}:${unit}${scope === null ? ':biogenic' : ''}`,
      factorSetId: meta.id,
      activityKey,
      name: path.join(' > '),
      scope,
      category,
      region,
      year: meta.publicationYear,
      unit,
      co2e: null,
      gasBasis: 'mass',
      gwpBasis: null,
      gases: g,
      sourceRef: `${table} line ${line}`,
      sourceRows: [{ line, id: `${table}:${line}`, ghg: Object.keys(g).join('+'), value: Object.values(g).join('; ') }],
    });
  };

  tables.table01?.forEach((r, i) => {
    const line = i + 2;
    const path = ['Stationary combustion', r.fuel_category ?? '', r.fuel_type ?? ''];
    const biomass = isBiomass(r.fuel_category, r.fuel_type);
    const units: [string, string | undefined, string | undefined, string | undefined][] = [['MMBtu', r.co2_kg_per_mmbtu, r.ch4_g_per_mmbtu, r.n2o_g_per_mmbtu]];
    if ((r.unit ?? '').trim() !== '') units.push([unitCode('table01', line, r.unit!), r.co2_kg_per_unit, r.ch4_g_per_unit, r.n2o_g_per_unit]);
    for (const [unit, co2, ch4, n2o] of units) {
      const CO2 = value('table01', line, co2);
      const others = { CH4: value('table01', line, ch4, G), N2O: value('table01', line, n2o, G) };
      if (!biomass) add('table01', line, path, unit, { CO2, ...others }, 1, '1 Stationary combustion');
      else {
        add('table01', line, path, unit, others, 1, '1 Stationary combustion');
        add('table01', line, [OUTSIDE, ...path], unit, { CO2 }, null, OUTSIDE);
      }
    }
  });
  tables.table02?.forEach((r, i) => {
    const line = i + 2;
    const path = ['Mobile combustion CO2', r.fuel_type ?? ''];
    const CO2 = value('table02', line, r.co2_kg_per_unit);
    // Biodiesel and ethanol: their CO2 is biogenic; their CH4 and N2O are Table 4's, per mile.
    if (LIQUID_BIOFUEL.test((r.fuel_type ?? '').trim())) add('table02', line, [OUTSIDE, ...path], unitCode('table02', line, r.unit ?? ''), { CO2 }, null, OUTSIDE);
    else add('table02', line, path, unitCode('table02', line, r.unit ?? ''), { CO2 }, 1, '1 Mobile combustion');
  });
  tables.table03?.forEach((r, i) => {
    const line = i + 2;
    add('table03', line, ['Mobile combustion CH4 N2O', r.vehicle_type ?? '', 'Gasoline', `model year ${r.model_year ?? ''}`], 'mile', { CH4: value('table03', line, r.ch4_g_per_vehicle_mile, G), N2O: value('table03', line, r.n2o_g_per_vehicle_mile, G) }, 1, '1 Mobile combustion');
  });
  tables.table04?.forEach((r, i) => {
    const line = i + 2;
    const path = ['Mobile combustion CH4 N2O', r.vehicle_type ?? '', r.fuel_type ?? '', ...((r.model_year ?? '').trim() ? [`model year ${r.model_year}`] : [])];
    add('table04', line, path, 'mile', { CH4: value('table04', line, r.ch4_g_per_vehicle_mile, G), N2O: value('table04', line, r.n2o_g_per_vehicle_mile, G) }, 1, '1 Mobile combustion');
  });
  tables.table05?.forEach((r, i) => {
    const line = i + 2;
    add('table05', line, ['Mobile combustion CH4 N2O', r.vehicle_type ?? '', r.fuel_type ?? ''], 'us_gal', { CH4: value('table05', line, r.ch4_g_per_gallon, G), N2O: value('table05', line, r.n2o_g_per_gallon, G) }, 1, '1 Mobile combustion');
  });
  tables.table06?.forEach((r, i) => {
    const line = i + 2;
    const sub = (r.egrid_subregion ?? '').trim();
    const region = sub === 'US Average' ? 'US' : `US-EGRID-${sub}`;
    add('table06', line, ['Electricity', 'Grid average (location-based)'], 'MWh', {
      CO2: value('table06', line, r.total_output_co2_lb_per_mwh, LB),
      CH4: value('table06', line, r.total_output_ch4_lb_per_mwh, LB),
      N2O: value('table06', line, r.total_output_n2o_lb_per_mwh, LB),
    }, 2, '2 Purchased electricity', region);
    skipped.push({ table: 'table06', line, reason: 'NOT_FOR_INVENTORIES', detail: `${sub} non-baseload rates: EPA says they should not be used for inventories` });
  });
  tables.table07?.forEach((r, i) => {
    const line = i + 2;
    add('table07', line, ['Steam and heat'], 'MMBtu', { CO2: value('table07', line, r.co2_kg_per_mmbtu), CH4: value('table07', line, r.ch4_g_per_mmbtu, G), N2O: value('table07', line, r.n2o_g_per_mmbtu, G) }, 2, '2 Purchased heat and steam');
  });
  for (const [table, category] of [['table08', '3.4 Upstream transportation and distribution'], ['table10', '3.6 Business travel']] as const) {
    tables[table]?.forEach((r, i) => {
      const line = i + 2;
      const label = table === 'table08' ? 'Transport' : 'Business travel and commuting';
      add(table, line, [label, r.vehicle_type ?? ''], unitCode(table, line, r.unit ?? ''), { CO2: value(table, line, r.co2_kg_per_unit), CH4: value(table, line, r.ch4_g_per_unit, G), N2O: value(table, line, r.n2o_g_per_unit, G) }, 3, category);
    });
  }
  tables.table09?.forEach((r, i) => {
    const line = i + 2;
    for (const [col, route] of Object.entries({ recycled_mtco2e_per_short_ton: 'Recycled', landfilled_mtco2e_per_short_ton: 'Landfilled', combusted_mtco2e_per_short_ton: 'Combusted', composted_mtco2e_per_short_ton: 'Composted', anaerobically_digested_dry_mtco2e_per_short_ton: 'Anaerobically digested (dry)', anaerobically_digested_wet_mtco2e_per_short_ton: 'Anaerobically digested (wet)' })) {
      const v = value('table09', line, r[col], '1000');
      const path = ['Waste', r.material ?? '', route];
      if (v === null) {
        skipped.push({ table: 'table09', line, reason: 'NOT_AVAILABLE', detail: `${path.join(' > ')}: NA in the source` });
        continue;
      }
      factors.push({
        id: `${meta.id}:table09:${line}:${slugify(route)}`,
        factorSetId: meta.id,
        activityKey: path.map(slugify).join('/'),
        name: path.join(' > '),
        scope: 3,
        category: '3.5 Waste generated in operations',
        region: meta.region,
        year: meta.publicationYear,
        unit: 'short_ton',
        co2e: v,
        gasBasis: 'co2e',
        // Table 9 notes: the WARM waste factors use AR4 GWPs.
        gwpBasis: 'AR4',
        gases: {},
        sourceRef: `table09 line ${line}`,
        sourceRows: [{ line, id: `table09:${line}:${col}`, ghg: 'metric tons CO2e per short ton', value: (r[col] ?? '').trim() }],
      });
    }
  });
  factors.push(...fugitiveGases(tables, meta, opts.gwpSets ?? []));
  return { factors, skipped };
}

/**
 * Where the CO2 of burning biomass goes: outside the scopes, reported apart (GHG Protocol Corporate
 * Standard; EPA's guidance on direct emissions from stationary combustion: "Biomass CO2 emissions
 * are not included in the overall CO2-equivalent emissions inventory"), while its CH4 and N2O
 * stay in Scope 1. DESNZ publishes the two apart ("Outside of scopes" rows); the Hub publishes one
 * row, so it becomes two factors.
 */
const OUTSIDE = 'Outside of scopes';
/** Table 2's biofuels. */
const LIQUID_BIOFUEL = /^(?:biodiesel|ethanol)\b/i;
/** Table 1's biomass fuels; not peat, which the Hub lists among them but IPCC counts as fossil. */
function isBiomass(category: string | undefined, fuel: string | undefined): boolean {
  return /^biomass fuels/i.test((category ?? '').trim()) && !/^peat$/i.test((fuel ?? '').trim());
}

/** The AR5 set, in which Tables 11 and 12 publish their GWPs. */
const HUB_GWP_BASIS = 'AR5';
/** Hydrocarbons in Table 12's blends: no GWP in the IPCC tables (counted as negligible, refrigerants.ts). */
const HYDROCARBONS = new Set(['propane', 'propylene', 'butane', 'isobutane', 'isopentane']);

/**
 * Tables 11 and 12 as factors per kg leaked (Scope 1, fugitive). A gas is 1 kg of itself; a blend
 * its components' mass fractions, of which only the Kyoto-basket gases count, as the Hub's blend
 * GWPs count them (R-401A: 18, the HFC-152a in it; its HCFCs are reported apart, under the
 * Montreal Protocol). The published GWP is the factor's total under AR5, checked against the gas
 * masses; where the masses cannot be stated (a gas the bundled GWP sets do not all have, a blend
 * with no Kyoto gas, masses that do not give the published total: R-424A), the factor is the
 * published total alone.
 */
function fugitiveGases(tables: EpaHubTables, meta: FactorSetMeta, gwpSets: readonly GwpSet[]): EmissionFactor[] {
  const out: EmissionFactor[] = [];
  /** A GWP cell: a blank has no default, so it is refused like any other cell that is no number. */
  const number = (table: string, line: number, raw: string | undefined): string => {
    const v = value(table, line, raw);
    if (v === null) throw new CoreError('FACTORS.BAD_VALUE', `EPA Hub ${table} line ${line}: "${raw ?? ''}" is not a number`, { table, line });
    return v;
  };
  const known = (g: string) => g === 'CO2' || (gwpSets.length > 0 && gwpSets.every((s) => s.values[g] !== undefined));
  const add = (table: 'table11' | 'table12', line: number, path: string[], gwp: string, components: RefrigerantComponent[], variant: 'total' | 'kyoto') => {
    const r = gwpSets.length > 0 ? refrigerantGases({ components, variant, published: gwp, basisId: HUB_GWP_BASIS, gwpSets }) : undefined;
    out.push({
      id: `${meta.id}:${table}:${line}:kg`,
      factorSetId: meta.id,
      activityKey: path.map(slugify).join('/'),
      name: path.join(' > '),
      scope: 1,
      category: '1 Fugitive emissions',
      region: meta.region,
      year: meta.publicationYear,
      unit: 'kg',
      co2e: gwp,
      gasBasis: r?.ok ? 'mass' : 'co2e',
      gwpBasis: HUB_GWP_BASIS,
      gases: r?.ok ? r.gases : {},
      sourceRef: `${table} line ${line}`,
      sourceRows: [{ line, id: `${table}:${line}`, ghg: `kg CO2e per kg (${HUB_GWP_BASIS} GWP)`, value: gwp }],
    });
  };
  tables.table11?.forEach((r, i) => {
    const line = i + 2;
    const name = (r.name ?? '').trim();
    // The GWP table's name for it: by its name (HFC-134a), else by its formula (PFC-14 is CF4).
    const species = [normaliseGas(name), normaliseGas(r.formula ?? '')].find(known) ?? normaliseGas(name);
    add('table11', line, ['Refrigerants and other gases', name], number('table11', line, r.gwp_100yr_ar5), [{ component: name, species, fraction: '1' }], 'total');
  });
  tables.table12?.forEach((r, i) => {
    const line = i + 2;
    const blend = (r.ashrae_number ?? '').trim();
    const components = (r.blend_composition ?? '').split(',').map((part): RefrigerantComponent => {
      const m = /^\s*(\d+(?:\.\d+)?)%\s+(.+?)\s*$/.exec(part);
      if (!m) throw new CoreError('FACTORS.BAD_VALUE', `EPA Hub table12 line ${line}: "${part.trim()}" of ${blend} is not "<percent>% <gas>"`, { table: 'table12', line });
      const component = m[2]!;
      const ashrae = /^(?:HFC|HCFC|CFC|PFC)-(\d.*)$/i.exec(component);
      const species = HYDROCARBONS.has(component.toLowerCase()) ? null : ((ashrae ? ashraeComponentSpecies(`R-${ashrae[1]}`) : undefined) ?? normaliseGas(component));
      return { component, species, fraction: new Big(m[1]!).div(100).toFixed() };
    });
    const sum = components.reduce((a, c) => a.plus(c.fraction), new Big(0));
    if (!sum.eq(1)) throw new CoreError('FACTORS.BAD_VALUE', `EPA Hub table12 line ${line}: the fractions of ${blend} sum to ${sum.times(100).toFixed()}%, not 100%`, { table: 'table12', line });
    add('table12', line, ['Refrigerant blends', blend], number('table12', line, r.gwp_100yr_ar5), components, 'kyoto');
  });
  return out;
}
