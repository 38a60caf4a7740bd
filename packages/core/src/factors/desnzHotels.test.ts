import { describe, expect, it } from 'vitest';
import { FactorCatalogue, matchFactor } from '../calculation/matchFactor.ts';
import { parseDesnzFlatFile } from './desnzFlatFile.ts';
import { DESNZ_HOTEL_COUNTRIES, HOTEL_STAY_KEY, hotelRegion } from './desnzHotels.ts';
import type { FactorSetMeta } from './emissionFactor.ts';

const meta: FactorSetMeta = { id: 'desnz-2025', source: 'DESNZ', edition: '2025', publicationYear: 2025, licence: 'OGL-3.0', region: 'GB', gwpBasis: 'AR5' };
// A stand-in for i18n-iso-countries' getAlpha2Code(name, 'en').
const lookup = (name: string) => ({ Australia: 'AU', France: 'FR', 'United States': 'US' })[name];
const hotel = (id: string, country: string, value: string) => ({
  ID: id,
  Scope: 'Scope 3',
  'Level 1': 'Hotel stay',
  'Level 2': 'Hotel stay',
  'Level 3': country,
  'Level 4': '',
  'Column Text': '',
  UOM: 'Room per night',
  'GHG/Unit': 'kg CO2e',
  'GHG Conversion Factor 2025': value,
});
const RECORDS = [
  hotel('29_600_4000_13_1', 'UK', '10.40000'),
  hotel('29_600_4001_13_1', 'UK (London)', '11.50000'),
  hotel('29_600_4002_13_1', 'Argentina', ''),
  hotel('29_600_4003_13_1', 'Australia', '35.00000'),
  hotel('29_600_4020_13_1', 'Hong Kong, China', '52.10000'),
  hotel('29_600_4099_13_1', 'Caribbean Region', '40.00000'),
];

describe('DESNZ hotel stays by region', () => {
  it('maps DESNZ country spellings to ISO codes: explicit table first, then the lookup', () => {
    expect(hotelRegion('UK', lookup)).toEqual({ region: 'GB' });
    expect(hotelRegion('UK (London)', lookup)).toEqual({ region: 'GB-LND' });
    expect(hotelRegion(' Korea ')).toEqual({ region: 'KR' });
    expect(hotelRegion('Australia', lookup)).toEqual({ region: 'AU' });
    expect(hotelRegion('Caribbean Region', lookup)).toEqual({ region: null, reason: '"Caribbean Region" has no ISO 3166 code' });
    expect(hotelRegion('Australia')).toMatchObject({ region: null });
    expect(Object.values(DESNZ_HOTEL_COUNTRIES).every((c) => /^[A-Z]{2}(-[A-Z]{3})?$/.test(c))).toBe(true);
  });

  it('puts every mapped country under one key with the country as the region; ids stay the DESNZ row ids', () => {
    const { factors, skipped, cleaned } = parseDesnzFlatFile(RECORDS, meta, { countryCode: lookup });
    expect(factors.map((f) => [f.id, f.activityKey, f.region, f.co2e, f.unit])).toEqual([
      ['desnz-2025:29_600_4000_13', HOTEL_STAY_KEY, 'GB', '10.4', 'room_night'],
      ['desnz-2025:29_600_4001_13', HOTEL_STAY_KEY, 'GB-LND', '11.5', 'room_night'],
      ['desnz-2025:29_600_4003_13', HOTEL_STAY_KEY, 'AU', '35', 'room_night'],
      ['desnz-2025:29_600_4020_13', HOTEL_STAY_KEY, 'HK', '52.1', 'room_night'],
      // not a country: kept under its old per-country key, and recorded
      ['desnz-2025:29_600_4099_13', 'hotel-stay/hotel-stay/caribbean-region', 'GB', '40', 'room_night'],
    ]);
    expect(factors[2]!.name).toBe('Hotel stay > Hotel stay > Australia');
    expect(skipped).toEqual([{ line: 4, reason: 'NO_VALUE', detail: 'blank: the source gives no factor' }]);
    expect(cleaned).toEqual([{ line: 7, original: 'Hotel stay country "Caribbean Region"', value: 'kept as hotel-stay/hotel-stay/caribbean-region in GB: "Caribbean Region" has no ISO 3166 code' }]);
  });

  it('resolves by the activity location: London, the rest of the UK, Australia; nowhere else', () => {
    const catalogue = new FactorCatalogue(parseDesnzFlatFile(RECORDS, meta, { countryCode: lookup }).factors);
    const at = (region: string | undefined) => {
      const m = matchFactor(HOTEL_STAY_KEY, 'nights', catalogue, { region, year: 2025 });
      return m.kind === 'exact' ? `${m.factor.region} ${m.factor.co2e} (${m.resolution})` : m.reason;
    };
    expect(at('GB-LND')).toBe('GB-LND 11.5 (region GB-LND)');
    expect(at('GB')).toBe('GB 10.4 (region GB)');
    expect(at('GB-MAN')).toBe('GB 10.4 (region GB (no factor for GB-MAN))');
    expect(at('AU')).toBe('AU 35 (region AU)');
    expect(at('NO')).toBe('NO_FACTOR_FOR_REGION');
    expect(at(undefined)).toBe('NO_FACTOR_FOR_REGION');
  });
});
