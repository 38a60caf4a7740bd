import { describe, expect, it } from 'vitest';
import { expandAirTravel } from './airTravel.ts';

const D = 'business-travel-air/flights';
const desnz = new Set(
  ['domestic-to-from-uk/average-passenger', 'short-haul-to-from-uk/average-passenger', 'short-haul-to-from-uk/economy-class', 'short-haul-to-from-uk/business-class',
    'long-haul-to-from-uk/average-passenger', 'long-haul-to-from-uk/economy-class', 'long-haul-to-from-uk/premium-economy-class', 'long-haul-to-from-uk/business-class', 'long-haul-to-from-uk/first-class',
    'international-to-from-non-uk/average-passenger', 'international-to-from-non-uk/business-class'].flatMap((k) => [`${D}/${k}/with-rf`, `${D}/${k}/without-rf`]),
);
const epa = new Set(['business-travel-and-commuting/air-travel-short-haul-300-miles', 'business-travel-and-commuting/air-travel-medium-haul-300-miles-2300-miles', 'business-travel-and-commuting/air-travel-long-haul-2300-miles']);
const hasDesnz = (k: string) => desnz.has(k);
const hasBoth = (k: string) => desnz.has(k) || epa.has(k);

describe('expandAirTravel', () => {
  it('picks the DESNZ band from the per-trip distance and where the flight went, with both RF variants', () => {
    const x = expandAirTravel({ quantity: '12400', unit: 'passenger.km', region: 'GB', attributes: { origin: 'GB', destination: 'US', trips: 2, cabin_class: 'business' } }, hasDesnz, 'with');
    expect(x.ok && x.expansion).toMatchObject({
      unit: 'passenger_km',
      key: `${D}/long-haul-to-from-uk/business-class/with-rf`,
      variants: { with_rf: `${D}/long-haul-to-from-uk/business-class/with-rf`, without_rf: `${D}/long-haul-to-from-uk/business-class/without-rf` },
    });
    expect(x.ok && x.expansion.notes).toContain('DESNZ long haul to/from uk (6200 km per trip (2 trips))');
    const short = expandAirTravel({ quantity: '3700', unit: 'km', region: 'GB', attributes: { origin: 'GB', destination: 'ES' } }, hasDesnz, 'without');
    expect(short.ok && short.expansion.key).toBe(`${D}/short-haul-to-from-uk/average-passenger/without-rf`);
    const dom = expandAirTravel({ quantity: '500', unit: 'passenger_km', region: 'GB', attributes: { cabin_class: 'economy' } }, hasDesnz, 'with');
    expect(dom.ok && dom.expansion).toMatchObject({ key: `${D}/domestic-to-from-uk/average-passenger/with-rf` });
    expect(dom.ok && dom.expansion.notes).toContain('no economy factor for this band: average used');
    const intl = expandAirTravel({ quantity: '900', unit: 'passenger_km', region: 'DE', attributes: { destination: 'FR' } }, hasDesnz, 'with');
    expect(intl.ok && intl.expansion.key).toBe(`${D}/international-to-from-non-uk/average-passenger/with-rf`);
  });

  it('falls back to the nearest cabin class the band publishes', () => {
    const x = expandAirTravel({ quantity: '1000', unit: 'passenger_km', region: 'GB', attributes: { origin: 'GB', destination: 'FR', cabin_class: 'first' } }, hasDesnz, 'with');
    expect(x.ok && x.expansion.key).toBe(`${D}/short-haul-to-from-uk/business-class/with-rf`);
  });

  it('uses the EPA haul bands in miles for a US activity when the run has them', () => {
    const x = expandAirTravel({ quantity: '2400', unit: 'passenger_mile', region: 'US', attributes: { trips: 10 } }, hasBoth, 'with');
    expect(x.ok && x.expansion).toMatchObject({ key: 'business-travel-and-commuting/air-travel-short-haul-300-miles', variants: null, unit: 'passenger_mile' });
    const long = expandAirTravel({ quantity: '2300', unit: 'passenger_mile', region: 'US' }, hasBoth, 'with');
    expect(long.ok && long.expansion.key).toBe('business-travel-and-commuting/air-travel-long-haul-2300-miles');
    const gb = expandAirTravel({ quantity: '2300', unit: 'passenger_mile', region: 'GB' }, hasBoth, 'with');
    expect(gb.ok && gb.expansion.key.startsWith(D)).toBe(true);
  });

  it('says why it cannot: wrong unit, no air factors', () => {
    expect(expandAirTravel({ quantity: '1', unit: 'kg' }, hasDesnz, 'with')).toMatchObject({ ok: false, reason: 'UNIT_INCOMPATIBLE' });
    expect(expandAirTravel({ quantity: '1', unit: 'km' }, () => false, 'with')).toMatchObject({ ok: false, reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE' });
  });
});
