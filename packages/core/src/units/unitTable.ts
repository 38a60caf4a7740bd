/**
 * The unit table: every unit Tally accepts, its dimension and its exact factor to the dimension's
 * base unit, as a decimal string. Written out by hand on purpose (see NOTES: general unit libraries
 * truncate the ton and the gallon and lack therm/MMBtu), each row with its source.
 *
 * Bases: energy MJ (so kWh, therm and MMBtu are all exact), mass kg, volume litre, distance km,
 * area x time m2.year (floor space occupied for a period: leased assets, data-centre space).
 */
export type Dimension =
  | 'energy'
  | 'mass'
  | 'volume'
  | 'distance'
  | 'passenger_distance'
  | 'mass_distance'
  | 'room_night'
  | 'fte_hour'
  | 'area_time'
  | 'count'
  | 'currency';

/** Calorific-value basis of an energy quantity for fuels; electricity and heat have none. */
export type EnergyBasis = 'gross_cv' | 'net_cv';

export interface UnitDef {
  code: string;
  label: string;
  dimension: Dimension;
  /** Multiply a quantity in this unit by toBase to get the dimension's base unit. */
  toBase: string;
  energyBasis?: EnergyBasis;
  /** ISO 4217 code for currency units: currencies never convert without an exchange-rate table. */
  currency?: string;
  aliases: readonly string[];
  source: string;
}

const SI = 'SI definition (BIPM SI Brochure, 9th ed.)';
const NIST = 'NIST SP 811 (2008), Appendix B';

const energy = (code: string, label: string, toBase: string, aliases: string[], source: string, energyBasis?: EnergyBasis): UnitDef =>
  energyBasis === undefined
    ? { code, label, dimension: 'energy', toBase, aliases, source }
    : { code, label, dimension: 'energy', toBase, aliases, source, energyBasis };

export const UNIT_TABLE: readonly UnitDef[] = [
  // energy, base MJ
  energy('MJ', 'MJ', '1', ['megajoule', 'megajoules'], SI),
  energy('GJ', 'GJ', '1000', ['gigajoule', 'gigajoules'], SI),
  energy('TJ', 'TJ', '1000000', ['terajoule', 'terajoules'], SI),
  energy('Wh', 'Wh', '0.0036', ['watt hour', 'watt hours'], SI),
  energy('kWh', 'kWh', '3.6', ['kilowatt hour', 'kilowatt hours', 'kw h', 'kw.h'], SI),
  energy('MWh', 'MWh', '3600', ['megawatt hour', 'megawatt hours'], SI),
  energy('GWh', 'GWh', '3600000', ['gigawatt hour', 'gigawatt hours'], SI),
  energy('kWh_gross', 'kWh (Gross CV)', '3.6', ['kwh (gross cv)', 'kwh gross', 'kwh gross cv', 'kwh (gross)'], 'DESNZ UOM "kWh (Gross CV)"', 'gross_cv'),
  energy('kWh_net', 'kWh (Net CV)', '3.6', ['kwh (net cv)', 'kwh net', 'kwh net cv', 'kwh (net)'], 'DESNZ UOM "kWh (Net CV)"', 'net_cv'),
  energy('therm', 'therm', '105.505585262', ['therms', 'thm'], 'NIST SP 811 B.9: therm (EC) = 1.05505585262 E+08 J'),
  energy('MMBtu', 'MMBtu', '1055.05585262', ['mmbtu', 'million btu', 'mmbtus'], 'NIST SP 811 B.9: Btu (IT) = 1.05505585262 E+03 J'),
  // mass, base kg
  { code: 'g', label: 'g', dimension: 'mass', toBase: '0.001', aliases: ['gram', 'grams'], source: SI },
  { code: 'kg', label: 'kg', dimension: 'mass', toBase: '1', aliases: ['kilogram', 'kilograms', 'kgs'], source: SI },
  { code: 'tonne', label: 'tonnes', dimension: 'mass', toBase: '1000', aliases: ['tonnes', 't', 'metric ton', 'metric tons', 'mt'], source: SI },
  { code: 'lb', label: 'lb', dimension: 'mass', toBase: '0.45359237', aliases: ['lbs', 'pound', 'pounds'], source: NIST },
  { code: 'short_ton', label: 'short ton', dimension: 'mass', toBase: '907.18474', aliases: ['short tons', 'us ton', 'us tons'], source: NIST },
  { code: 'long_ton', label: 'long ton', dimension: 'mass', toBase: '1016.0469088', aliases: ['long tons', 'uk ton', 'imperial ton'], source: NIST },
  // volume, base litre
  { code: 'ml', label: 'ml', dimension: 'volume', toBase: '0.001', aliases: ['millilitre', 'millilitres', 'milliliter', 'milliliters'], source: SI },
  { code: 'litre', label: 'litres', dimension: 'volume', toBase: '1', aliases: ['litres', 'liter', 'liters', 'l', 'ltr', 'ltrs'], source: SI },
  { code: 'm3', label: 'cubic metres', dimension: 'volume', toBase: '1000', aliases: ['cubic metres', 'cubic metre', 'cubic meters', 'cubic meter', 'm³', 'cbm'], source: SI },
  { code: 'megalitre', label: 'million litres', dimension: 'volume', toBase: '1000000', aliases: ['million litres', 'megalitres', 'ml (mega)'], source: SI },
  { code: 'us_gal', label: 'US gallons', dimension: 'volume', toBase: '3.785411784', aliases: ['us gallon', 'us gallons', 'us gal'], source: NIST },
  { code: 'imp_gal', label: 'imperial gallons', dimension: 'volume', toBase: '4.54609', aliases: ['imperial gallon', 'imperial gallons', 'uk gallon', 'uk gallons'], source: NIST },
  { code: 'bbl', label: 'barrels (oil)', dimension: 'volume', toBase: '158.987294928', aliases: ['barrel', 'barrels'], source: NIST },
  { code: 'scf', label: 'standard cubic feet', dimension: 'volume', toBase: '28.316846592', aliases: ['cubic feet', 'cubic foot', 'ft3', 'cf'], source: NIST },
  // distance, base km
  { code: 'm', label: 'm', dimension: 'distance', toBase: '0.001', aliases: ['metre', 'metres', 'meter', 'meters'], source: SI },
  { code: 'km', label: 'km', dimension: 'distance', toBase: '1', aliases: ['kilometre', 'kilometres', 'kilometer', 'kilometers', 'kms'], source: SI },
  { code: 'mile', label: 'miles', dimension: 'distance', toBase: '1.609344', aliases: ['miles', 'mi', 'vehicle-mile', 'vehicle-miles', 'vehicle mile', 'vehicle miles', 'vmt'], source: NIST },
  { code: 'nmi', label: 'nautical miles', dimension: 'distance', toBase: '1.852', aliases: ['nautical mile', 'nautical miles'], source: NIST },
  // passenger x distance, base passenger.km
  { code: 'passenger_km', label: 'passenger.km', dimension: 'passenger_distance', toBase: '1', aliases: ['passenger.km', 'passenger km', 'pkm', 'p.km', 'passenger-km'], source: 'DESNZ UOM "passenger.km"' },
  { code: 'passenger_mile', label: 'passenger.mile', dimension: 'passenger_distance', toBase: '1.609344', aliases: ['passenger.mile', 'passenger mile', 'passenger miles', 'pmi', 'passenger-mile'], source: NIST },
  // tonne x distance, base tonne.km
  { code: 'tonne_km', label: 'tonne.km', dimension: 'mass_distance', toBase: '1', aliases: ['tonne.km', 'tonne km', 'tkm', 't.km', 'tonne-km'], source: 'DESNZ UOM "tonne.km"' },
  { code: 'short_ton_mile', label: 'short ton.mile', dimension: 'mass_distance', toBase: '1.45997231821056', aliases: ['ton-mile', 'ton mile', 'ton.mile', 'short ton-mile'], source: 'NIST SP 811: 0.90718474 t x 1.609344 km' },
  // other
  { code: 'room_night', label: 'room nights', dimension: 'room_night', toBase: '1', aliases: ['room per night', 'room nights', 'room night', 'night', 'nights', 'hotel night', 'hotel nights'], source: 'DESNZ UOM "Room per night"' },
  { code: 'fte_hour', label: 'FTE working hours', dimension: 'fte_hour', toBase: '1', aliases: ['per fte working hour', 'fte working hour', 'fte hours', 'fte hour'], source: 'DESNZ UOM "per FTE Working Hour"' },
  // area x time, base m2.year
  { code: 'm2_year', label: 'm2.year', dimension: 'area_time', toBase: '1', aliases: ['m2.year', 'm2 year', 'm2-year', 'm²·year', 'm2*year', 'sqm year', 'square metre year', 'square meter year'], source: SI },
  { code: 'ft2_year', label: 'ft2.year', dimension: 'area_time', toBase: '0.09290304', aliases: ['ft2.year', 'ft2 year', 'sq ft year', 'square foot year', 'square feet year'], source: 'NIST SP 811 B.9: ft2 = 9.290304 E-02 m2' },
  { code: 'unit', label: 'units', dimension: 'count', toBase: '1', aliases: ['units', 'each', 'item', 'items', 'pcs', 'count'], source: 'count' },
  ...['GBP', 'USD', 'EUR', 'CHF', 'JPY', 'CAD', 'AUD', 'CNY', 'INR', 'SEK', 'NOK', 'DKK'].map(
    (c): UnitDef => ({ code: c, label: c, dimension: 'currency', toBase: '1', currency: c, aliases: [c.toLowerCase()], source: 'ISO 4217' }),
  ),
];
