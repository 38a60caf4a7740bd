/**
 * DESNZ publishes hotel-stay factors (kg CO2e per room per night) per country, as Level 3 of
 * "Hotel stay" > "Hotel stay". Tally stores them under one activity key, resolved by the region of
 * the activity, so "2 nights in Brisbane" finds the Australian factor through the activity's
 * location instead of through a per-country key nobody can guess.
 */

/** The activity key every region-resolved hotel-stay factor shares. */
export const HOTEL_STAY_KEY = 'hotel-stay/hotel-stay';

/**
 * DESNZ spellings (2017-2025 editions) that a standard English country-name lookup does not
 * resolve. "UK (London)" becomes GB-LND, the ISO 3166-2 code, so an activity located in GB-LND
 * resolves to it and one located anywhere else in GB falls back to the UK factor through the
 * region path GB-LND -> GB -> GLOBAL.
 */
export const DESNZ_HOTEL_COUNTRIES: Readonly<Record<string, string>> = {
  UK: 'GB',
  'UK (London)': 'GB-LND',
  USA: 'US',
  // 2017-2020 "China (Hong Kong)", 2021-2025 "Hong Kong, China"; likewise Macau and Taiwan.
  'China (Hong Kong)': 'HK',
  'Hong Kong, China': 'HK',
  'Macau, China': 'MO',
  'Taiwan, China': 'TW',
  // 2021-2025 "Korea" replaces 2017-2020 "South Korea": the Republic of Korea.
  Korea: 'KR',
  'South Korea': 'KR',
  'Slovak Republic': 'SK',
};

/** A country name (English) -> ISO 3166-1 alpha-2, e.g. i18n-iso-countries' getAlpha2Code(name, 'en'). */
export type CountryCodeLookup = (name: string) => string | undefined;

export type HotelRegion = { region: string } | { region: null; reason: string };

const CODE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

/**
 * The region of a DESNZ hotel-stay row: the explicit table first, then the injected lookup. A name
 * that maps to nothing (a region such as "Caribbean Region", or a part of a country that is not an
 * ISO 3166-2 subdivision, such as "Germany (Northern region)") comes back with its reason.
 */
export function hotelRegion(name: string, lookup?: CountryCodeLookup): HotelRegion {
  const n = name.trim().replace(/\s+/g, ' ');
  const explicit = DESNZ_HOTEL_COUNTRIES[n];
  if (explicit) return { region: explicit };
  const found = lookup?.(n)?.trim().toUpperCase();
  if (found && CODE.test(found)) return { region: found };
  return { region: null, reason: lookup ? `"${n}" has no ISO 3166 code` : `"${n}" is not in the explicit table and no country-name lookup was given` };
}
