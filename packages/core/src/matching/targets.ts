import type { EmissionFactor } from '../factors/emissionFactor.ts';
import { AIR_TRAVEL_KEY, airTravelFactorKeys, isAirTravelFactorKey } from '../methods/airTravel.ts';
import { findUnit } from '../units/convertUnit.ts';
import type { MatchTarget } from './types.ts';

const PRICED = /^(naics-2017\/\d{6})\/(?:purchaser|producer)-price$/;
const PRICE_BASES = ['purchaser', 'producer'] as const;

/** The factors' activity keys a target key stands for: a spend code's price variants, air travel's flight factors, else the key itself. */
export function activityKeysOfTarget(key: string): string[] {
  if (key === AIR_TRAVEL_KEY) return [key, ...airTravelFactorKeys()];
  return PRICED.test(`${key}/purchaser-price`) ? [key, ...PRICE_BASES.map((b) => `${key}/${b}-price`)] : [key];
}

/** Air travel as one target: its factors differ by haul band and cabin class, which the row's distance and attributes decide, not its text. */
const AIR_TRAVEL_TITLE = 'Air travel: flights (the haul band from the distance of a trip, the cabin class from the row)';

/**
 * A factor of CH4 and N2O alone: the supplement to a CO2 factor published apart (the EPA Hub's
 * mobile combustion tables 3 to 5, per vehicle type and model year, beside table 2's CO2 per fuel).
 * Chosen alone for a fuel line it would leave out the CO2, nearly all of the line's emissions, so
 * the matcher never chooses one; a row whose activity_type names one still gets it. Not a
 * biomass fuel's Scope 1 factor, whose CO2 is reported outside the scopes (`biogenic`: the keys
 * that have an "outside-of-scopes/" twin in the run's sets): its CH4 and N2O are all its Scope 1.
 */
export function isGasSupplement(f: EmissionFactor, biogenic: ReadonlySet<string> = new Set()): boolean {
  if (f.co2e !== null || biogenic.has(f.activityKey)) return false;
  const gases = Object.keys(f.gases);
  return gases.length > 0 && gases.every((g) => g === 'CH4' || g === 'N2O');
}

const OUTSIDE_OF_SCOPES = 'outside-of-scopes/';

/**
 * A well-to-tank factor (DESNZ's "WTT-" families: the upstream emissions of producing and
 * delivering a fuel or electricity, Scope 3 category 3). It is reported beside the fuel's own
 * factor, from the same activity, never in its place: a "Domestic flight" or "Natural gas" line is
 * the flight or the gas, so the matcher admits these only for a text that names well-to-tank, and
 * for such a text ("WTT natural gas") only these.
 */
export function isWellToTankKey(key: string): boolean {
  return key.startsWith('wtt-');
}

/** Whether a text's words (normalise.ts words(), which reads "well-to-tank" as "wtt") name well-to-tank. */
export function namesWellToTank(words: readonly string[]): boolean {
  return words.includes('wtt');
}

/**
 * What rows can be matched to, from the factors of a run's sets: one target per activity key with
 * the dimensions of its units and the regions of its factors; a spend factor's two price variants
 * are one target (the line's price basis picks the variant later), titled without the
 * "(NAICS …, … price)" suffix; the flight factors are one target, air travel (AIR_TRAVEL_KEY),
 * whose rows the air travel method calculates (band from the distance, class from the row).
 */
export function matchTargetsOf(factors: Iterable<EmissionFactor>): MatchTarget[] {
  const byKey = new Map<string, { title: string; dimensions: Set<string>; regions: Set<string> }>();
  const all = [...factors];
  const biogenic = new Set(all.filter((f) => f.activityKey.startsWith(OUTSIDE_OF_SCOPES)).map((f) => f.activityKey.slice(OUTSIDE_OF_SCOPES.length)));
  for (const f of all) {
    if (isGasSupplement(f, biogenic)) continue;
    const priced = PRICED.exec(f.activityKey);
    const air = isAirTravelFactorKey(f.activityKey);
    const key = priced ? priced[1]! : air ? AIR_TRAVEL_KEY : f.activityKey;
    const dimension = findUnit(f.unit)?.dimension;
    let t = byKey.get(key);
    if (!t) byKey.set(key, (t = { title: priced ? f.name.replace(/\s*\(NAICS \d{6}, \w+ price\)$/, '') : air ? AIR_TRAVEL_TITLE : f.name, dimensions: new Set(), regions: new Set() }));
    if (dimension) t.dimensions.add(dimension);
    // The method reads a plain distance as one passenger's (airTravel.ts).
    if (air) t.dimensions.add('distance');
    t.regions.add(f.region.toUpperCase());
  }
  return [...byKey].map(([key, t]) => ({ key, title: t.title, dimensions: [...t.dimensions].sort(), regions: [...t.regions].sort() }));
}
