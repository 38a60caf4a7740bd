import type { ActivityAttributes, CabinClass } from '../activities/activityRecord.ts';
import { Big } from '../decimal.ts';
import { findUnit } from '../units/convertUnit.ts';

/** Activity types that ask for the air-travel method rather than naming a factor. */
export const AIR_TRAVEL_TYPES: ReadonlySet<string> = new Set(['air-travel', 'flight', 'flights', 'business-travel/air']);

export type RadiativeForcing = 'with' | 'without';

export interface AirTravelInput {
  quantity: string;
  unit: string;
  /** The entity's region, used when the row gives no origin or destination. */
  region?: string | undefined;
  attributes?: ActivityAttributes | null | undefined;
}

export interface AirTravelExpansion {
  /** Passenger distance unit the factors are per (the row's distance unit, read per passenger). */
  unit: string;
  /** Factor key of the reported figure, and of each variant the source publishes. */
  key: string;
  variants: { with_rf: string; without_rf: string } | null;
  notes: string[];
}

export type AirTravelOutcome = { ok: true; expansion: AirTravelExpansion } | { ok: false; reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE' | 'UNIT_INCOMPATIBLE'; detail: string };

// DESNZ methodology paper: short-haul flights to/from the UK are up to 3,700 km, long-haul beyond.
const DESNZ_LONG_HAUL_KM = new Big(3700);
// EPA Hub table 10: short haul < 300 miles, medium 300-2,300 miles, long >= 2,300 miles.
const MILE_KM = new Big('1.609344');
const EPA_SHORT_KM = MILE_KM.times(300);
const EPA_LONG_KM = MILE_KM.times(2300);

const DESNZ = 'business-travel-air/flights';
const DESNZ_BANDS = ['domestic-to-from-uk', 'short-haul-to-from-uk', 'long-haul-to-from-uk', 'international-to-from-non-uk'];
const DESNZ_CLASS: Record<CabinClass, string> = {
  average: 'average-passenger',
  economy: 'economy-class',
  premium_economy: 'premium-economy-class',
  business: 'business-class',
  first: 'first-class',
};
/** Where a band has no factor for the class, the nearest class it has, then the average. */
const CLASS_FALLBACK: Record<CabinClass, CabinClass[]> = {
  average: ['average'],
  economy: ['economy', 'average'],
  premium_economy: ['premium_economy', 'economy', 'average'],
  business: ['business', 'average'],
  first: ['first', 'business', 'average'],
};
const EPA = 'business-travel-and-commuting';
const EPA_BANDS = { short: `${EPA}/air-travel-short-haul-300-miles`, medium: `${EPA}/air-travel-medium-haul-300-miles-2300-miles`, long: `${EPA}/air-travel-long-haul-2300-miles` };

/**
 * The key the matcher gives air travel as one (targets.ts): a flight's factor depends on the haul
 * band, which the trip's distance decides, and on the cabin class, which the row's attributes
 * give, never on its text; rows matched to it are calculated by this method, as rows whose
 * activity_type names it are.
 */
export const AIR_TRAVEL_KEY = 'air-travel';

/** Whether a factor key is one of the air travel families this method chooses among (DESNZ flights, EPA Hub air travel). */
export function isAirTravelFactorKey(key: string): boolean {
  return key.startsWith(`${DESNZ}/`) || key.startsWith(`${EPA}/air-travel-`);
}

/** Every factor key this method may choose: what the air travel key stands for. */
export function airTravelFactorKeys(): string[] {
  const desnz = DESNZ_BANDS.flatMap((b) => Object.values(DESNZ_CLASS).flatMap((c) => [`${DESNZ}/${b}/${c}/with-rf`, `${DESNZ}/${b}/${c}/without-rf`]));
  return [...desnz, ...Object.values(EPA_BANDS)];
}

const isUk = (place: string | undefined) => place !== undefined && (place === 'GB' || place.startsWith('GB-') || place === 'UK');

/**
 * Air travel as DESNZ and EPA publish it: the haul band from the distance of one trip and where it
 * flew (DESNZ: domestic, short- or long-haul to/from the UK, international between non-UK
 * airports; EPA: short, medium, long haul), the cabin class (DESNZ), and both radiative-forcing
 * variants (DESNZ publishes each flight factor with and without RF; the run says which is
 * reported, the other is kept). The DESNZ family is used unless the activity is in the US and the
 * run has the EPA factors. Every choice is said in `notes`.
 */
export function expandAirTravel(input: AirTravelInput, has: (key: string) => boolean, rf: RadiativeForcing): AirTravelOutcome {
  const u = findUnit(input.unit);
  if (!u || (u.dimension !== 'passenger_distance' && u.dimension !== 'distance')) {
    return { ok: false, reason: 'UNIT_INCOMPATIBLE', detail: `air travel is measured in passenger.km, passenger.miles, km or miles, not "${input.unit}"` };
  }
  const notes: string[] = [];
  const a = input.attributes ?? {};
  const unit = u.dimension === 'distance' ? (u.code === 'mile' ? 'passenger_mile' : 'passenger_km') : u.code;
  if (u.dimension === 'distance') notes.push(`${u.label} read as ${unit === 'passenger_mile' ? 'passenger.miles' : 'passenger.km'} (one passenger)`);
  const trips = a.trips ?? 1;
  const perTripKm = new Big(input.quantity).times(u.toBase).div(trips);
  const tripText = `${perTripKm.round(0).toFixed()} km per trip${trips > 1 ? ` (${trips} trips)` : ''}`;

  const desnzAvailable = DESNZ_BANDS.some((b) => Object.values(DESNZ_CLASS).some((c) => has(`${DESNZ}/${b}/${c}/with-rf`)));
  const epaAvailable = Object.values(EPA_BANDS).some(has);
  const home = input.region?.toUpperCase();
  const useEpa = epaAvailable && (!desnzAvailable || home === 'US' || home?.startsWith('US-') === true);

  if (useEpa) {
    const band = perTripKm.lt(EPA_SHORT_KM) ? 'short' : perTripKm.lt(EPA_LONG_KM) ? 'medium' : 'long';
    notes.push(`EPA ${band} haul (${tripText})`);
    if (a.cabin_class && a.cabin_class !== 'average') notes.push(`EPA publishes no cabin classes: ${a.cabin_class} taken as average`);
    notes.push('EPA publishes no radiative-forcing variant');
    return { ok: true, expansion: { unit, key: EPA_BANDS[band], variants: null, notes } };
  }
  if (!desnzAvailable) return { ok: false, reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE', detail: 'the run\'s factor sets have no air travel factors (DESNZ business travel air or EPA Hub table 10)' };

  const origin = a.origin ?? home;
  const destination = a.destination ?? home;
  if (!a.origin || !a.destination) notes.push(`${!a.origin && !a.destination ? 'origin and destination' : !a.origin ? 'origin' : 'destination'} not given: taken as ${home ?? 'unknown'} (the entity's country)`);
  let band: string;
  if (isUk(origin) && isUk(destination)) band = 'domestic-to-from-uk';
  else if (isUk(origin) || isUk(destination)) band = perTripKm.gt(DESNZ_LONG_HAUL_KM) ? 'long-haul-to-from-uk' : 'short-haul-to-from-uk';
  else band = 'international-to-from-non-uk';
  notes.push(`DESNZ ${band.replace(/-/g, ' ').replace('to from', 'to/from')} (${tripText})`);

  const wanted = a.cabin_class ?? 'average';
  const cls = CLASS_FALLBACK[wanted].find((c) => has(`${DESNZ}/${band}/${DESNZ_CLASS[c]}/with-rf`));
  if (!cls) return { ok: false, reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE', detail: `no DESNZ flight factor for ${band}` };
  if (cls !== wanted) notes.push(`no ${wanted.replace('_', ' ')} factor for this band: ${cls.replace('_', ' ')} used`);
  const variants = { with_rf: `${DESNZ}/${band}/${DESNZ_CLASS[cls]}/with-rf`, without_rf: `${DESNZ}/${band}/${DESNZ_CLASS[cls]}/without-rf` };
  notes.push(`reported ${rf} radiative forcing`);
  return { ok: true, expansion: { unit, key: rf === 'with' ? variants.with_rf : variants.without_rf, variants, notes } };
}
