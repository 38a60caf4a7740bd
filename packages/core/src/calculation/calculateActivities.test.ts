import { describe, expect, it } from 'vitest';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { calculateActivities, createCalculationCache, type ActivityInput, type CalculatedResult } from './calculateActivities.ts';
import { prepareFactor } from './prepareFactor.ts';
import { categoryProfileOf } from '../matching/categoryProfile.ts';
import { createMatchEngine } from '../matching/engine.ts';
import { matchTargetsOf } from '../matching/targets.ts';

const GWP: GwpSet[] = [
  { id: 'AR5', name: 'AR5', horizonYears: 100, source: 'test', values: { CH4: '28', N2O: '265' } },
  { id: 'AR6', name: 'AR6', horizonYears: 100, source: 'test', values: { CH4: '27.9', N2O: '273' } },
];
const sets = new Map(GWP.map((s) => [s.id, s]));

const base = { factorSetId: 'set', name: 'x', scope: 1 as const, category: 'c', region: 'GB', year: 2025, gasBasis: 'co2e' as const, gwpBasis: 'AR5', sourceRows: [] };
const DIESEL: EmissionFactor = { ...base, id: 'set:diesel', activityKey: 'diesel', unit: 'litre', co2e: '2.57082', gases: { CO2: '2.53763', CH4: '0.00029', N2O: '0.0329' }, sourceRef: 'd' };
const GAS: EmissionFactor = { ...base, id: 'set:gas', activityKey: 'gas', unit: 'kWh_gross', co2e: '0.18296', gases: { CO2: '0.18256', CH4: '0.00027', N2O: '0.00013' }, sourceRef: 'g' };
const EPA_STYLE: EmissionFactor = { ...base, id: 'set:epa', activityKey: 'ng-mmbtu', unit: 'MMBtu', co2e: null, gasBasis: 'mass', gwpBasis: null, gases: { CO2: '53.06', CH4: '0.001', N2O: '0.0001' }, sourceRef: 'e' };
const FACTORS = [DIESEL, GAS, EPA_STYLE];

const calc = (activities: ActivityInput[], gwpSetId = 'AR5') => calculateActivities({ activities, factors: FACTORS, gwpSetId, gwpSets: GWP });

describe('prepareFactor', () => {
  it('uses the published total when the run uses the source GWP set', () => {
    const p = prepareFactor(DIESEL, sets.get('AR5')!, sets);
    expect(p.co2eMethod).toBe('published_total');
    expect(p.co2ePerUnit.toFixed()).toBe('2.57082');
    expect(p.gasMassPerUnit.CH4!.toFixed()).toBe('0.000010357142857142857143'); // 0.00029 / 28, 24 dp half-even
  });

  it('restates only the non-CO2 gases under another GWP set', () => {
    const p = prepareFactor(DIESEL, sets.get('AR6')!, sets);
    // 2.57082 + 0.00029 * (27.9/28 - 1) + 0.0329 * (273/265 - 1)
    // = 2.57082 - 0.0000010357142857... + 0.000993207547169811...
    expect(p.co2eMethod).toBe('published_total_gwp_restated');
    expect(p.co2ePerUnit.round(12).toFixed()).toBe('2.571812171833');
  });

  it('keeps a published total without gases under the source GWP set, and says so', () => {
    const wtt: EmissionFactor = { ...DIESEL, id: 'set:wtt', gases: {}, co2e: '0.61101' };
    expect(prepareFactor(wtt, sets.get('AR5')!, sets)).toMatchObject({ co2eMethod: 'published_total' });
    const p = prepareFactor(wtt, sets.get('AR6')!, sets);
    expect(p.co2eMethod).toBe('published_total_source_gwp');
    expect(p.co2ePerUnit.toFixed()).toBe('0.61101');
  });

  it('sums gas masses times GWPs for factors published as masses', () => {
    const p = prepareFactor(EPA_STYLE, sets.get('AR5')!, sets);
    expect(p.co2eMethod).toBe('sum_of_gases');
    expect(p.co2ePerUnit.toFixed()).toBe('53.1145'); // 53.06 + 0.028 + 0.0265
  });
});

describe('calculateActivities', () => {
  it('calculates exact kg CO2e and kg per gas with lineage', () => {
    const [r] = calc([{ id: '1', activityType: 'diesel', quantity: '1000', unit: 'litre' }]) as CalculatedResult[];
    expect(r).toMatchObject({
      status: 'calculated',
      factorId: 'set:diesel',
      co2eKg: '2570.82',
      gasKg: { CO2: '2537.63', CH4: '0.010357142857', N2O: '0.124150943396' },
      unitFrom: 'litre',
      unitTo: 'litre',
      unitMultiplier: '1',
      gwpSetId: 'AR5',
    });
  });

  it('converts units by definition and records the conversion', () => {
    const [m3, mwh] = calc([
      { id: '1', activityType: 'diesel', quantity: '2', unit: 'm3' },
      { id: '2', activityType: 'gas', quantity: '1.5', unit: 'MWh' },
    ]) as CalculatedResult[];
    expect(m3).toMatchObject({ co2eKg: '5141.64', unitFrom: 'm3', unitTo: 'litre', unitMultiplier: '1000' });
    expect(mwh).toMatchObject({ co2eKg: '274.44', unitMultiplier: '1000', unitAssumption: 'energy without a calorific-value basis taken as gross CV' });
  });

  it('says why a row is unmatched', () => {
    const out = calc([
      { id: '1', activityType: 'unobtainium', quantity: '1', unit: 'kg' },
      { id: '2', activityType: 'diesel', quantity: '1', unit: 'kWh' },
    ]);
    expect(out.map((r) => (r.status === 'calculated' ? r.status : r.reason))).toEqual(['NO_FACTOR_FOR_ACTIVITY_TYPE', 'UNIT_INCOMPATIBLE']);
    expect(out[1]).toMatchObject({ detail: 'activity unit "kWh" converts to none of the factor units: litre' });
  });

  it('is deterministic and independent of batch order and batching', () => {
    const acts: ActivityInput[] = Array.from({ length: 300 }, (_, i) => ({ id: String(i), activityType: ['diesel', 'gas', 'ng-mmbtu'][i % 3]!, quantity: `${i}.${i % 7}`, unit: ['litre', 'kWh', 'MMBtu'][i % 3]! }));
    const once = calc(acts, 'AR6');
    expect(calc(acts, 'AR6')).toEqual(once);
    const shuffled = [...acts].reverse();
    const byId = new Map(calc(shuffled, 'AR6').map((r) => [r.activityId, r]));
    for (const r of once) expect(byId.get(r.activityId)).toEqual(r);
    const halves = [...calc(acts.slice(0, 150), 'AR6'), ...calc(acts.slice(150), 'AR6')];
    expect(halves).toEqual(once);
  });

  it('resolves in the run\'s sets in priority order, supplier-specific factors first for their supplier', () => {
    const own: EmissionFactor = { ...DIESEL, id: 'org:diesel', factorSetId: 'org', co2e: '2.4', gases: {}, supplier: 'Acme Fuels', kind: 'supplier_specific', region: 'GLOBAL' };
    const out = calculateActivities({
      activities: [
        { id: '1', activityType: 'diesel', quantity: '100', unit: 'litre', supplier: 'ACME Fuels ', region: 'GB' },
        { id: '2', activityType: 'diesel', quantity: '100', unit: 'litre', supplier: 'Other', region: 'GB' },
      ],
      factors: [...FACTORS, own],
      factorSetIds: ['org', 'set'],
      gwpSetId: 'AR5',
      gwpSets: GWP,
    }) as CalculatedResult[];
    expect(out[0]).toMatchObject({ factorId: 'org:diesel', co2eKg: '240' });
    expect(out[0]!.resolution).toContain('supplier-specific factor of Acme Fuels');
    expect(out[1]).toMatchObject({ factorId: 'set:diesel', co2eKg: '257.082' });
  });

  const SPEND: EmissionFactor = {
    ...base, id: 'sc:331110:purchaser', factorSetId: 'sc', activityKey: 'naics-2017/331110/purchaser-price', unit: 'USD', co2e: '1.5', gases: {}, scope: 3, region: 'US', sourceRef: 'sc',
    priceBasis: { currency: 'USD', year: 2022, price: 'purchaser' },
  };
  const PRODUCER: EmissionFactor = { ...SPEND, id: 'sc:331110:producer', activityKey: 'naics-2017/331110/producer-price', co2e: '1.2', priceBasis: { currency: 'USD', year: 2022, price: 'producer' } };
  const economics = {
    exchangeRates: [{ currency: 'EUR', year: 2024, usdPerUnit: '1.0822', source: 'fx' }],
    priceIndices: [
      { indexId: 'US-CPI-U', currency: 'USD', year: 2022, value: '292.655', source: 'bls' },
      { indexId: 'US-CPI-U', currency: 'USD', year: 2024, value: '313.689', source: 'bls' },
    ],
  };

  it('converts spend through the exchange rate and price index to the factor\'s basis, and records the chain', () => {
    const out = calculateActivities({
      activities: [
        { id: '1', activityType: 'naics-2017/331110', quantity: '1000', unit: 'EUR', year: 2024, region: 'DE' },
        { id: '2', activityType: 'naics-2017/331110', quantity: '1000', unit: 'EUR', year: 2024, region: 'DE', attributes: { price_basis: 'producer' } },
        { id: '3', activityType: 'naics-2017/331110', quantity: '3', unit: 'tonne', amount: '1000', currency: 'EUR', year: 2024, region: 'DE' },
        { id: '4', activityType: 'naics-2017/331110', quantity: '1000', unit: 'EUR', year: 2019, region: 'DE' },
      ],
      factors: [SPEND, PRODUCER],
      gwpSetId: 'AR5',
      gwpSets: GWP,
      economics,
    });
    const [a, b, c, d] = out as CalculatedResult[];
    // 1000 EUR x 1.0096345138018865819330615126 USD2022/EUR2024 x 1.5
    expect(a).toMatchObject({ factorId: 'sc:331110:purchaser', co2eKg: '1514.45177070283', unitFrom: 'EUR', unitTo: 'USD', unitMultiplier: '1.0096345138018865819330615126' });
    expect(a!.conversionSteps!.map((s) => s.step)).toEqual(['exchange_rate', 'price_index']);
    expect(b).toMatchObject({ factorId: 'sc:331110:producer', co2eKg: '1211.561416562264' });
    expect(c).toMatchObject({ co2eKg: '1514.45177070283', unitAssumption: "the line's spend (1000 EUR) used, not its quantity" });
    expect(d).toMatchObject({ status: 'unmatched', reason: 'NO_CONVERSION_DATA', detail: 'no exchange rate for EUR in or before 2019' });
  });

  it('calculates air travel by band and class, keeping both radiative-forcing variants', () => {
    const flight = (key: string, co2e: string): EmissionFactor => ({ ...base, id: `f:${key}`, activityKey: `business-travel-air/flights/long-haul-to-from-uk/economy-class/${key}`, unit: 'passenger_km', co2e, gases: {}, scope: 3, sourceRef: 'f' });
    const input = {
      activities: [{ id: '1', activityType: 'air-travel', quantity: '7000', unit: 'km', region: 'GB', attributes: { origin: 'GB', destination: 'US', cabin_class: 'economy' as const } }],
      factors: [flight('with-rf', '0.11704'), flight('without-rf', '0.06926')],
      gwpSetId: 'AR5',
      gwpSets: GWP,
    };
    const [w] = calculateActivities(input) as CalculatedResult[];
    expect(w).toMatchObject({ method: 'air-travel', factorId: 'f:with-rf', co2eKg: '819.28', co2eVariants: { with_rf: '819.28', without_rf: '484.82' } });
    expect(w!.resolution).toContain('reported with radiative forcing');
    const [wo] = calculateActivities({ ...input, options: { radiativeForcing: 'without' } }) as CalculatedResult[];
    expect(wo).toMatchObject({ factorId: 'f:without-rf', co2eKg: '484.82', co2eVariants: { with_rf: '819.28', without_rf: '484.82' } });
  });

  it('calculates a row matched by text to air travel by the air travel method, its band from each row\'s distance', () => {
    const flight = (band: string, co2e: string, rf: string): EmissionFactor => ({ ...base, name: `Business travel- air > Flights > ${band} > Average passenger`, id: `f:${band}:${rf}`, activityKey: `business-travel-air/flights/${band}/average-passenger/${rf}`, unit: 'passenger_km', co2e, gases: {}, scope: 3, sourceRef: 'f' });
    const factors = [flight('short-haul-to-from-uk', '0.15', 'with-rf'), flight('short-haul-to-from-uk', '0.09', 'without-rf'), flight('long-haul-to-from-uk', '0.19', 'with-rf'), flight('long-haul-to-from-uk', '0.11', 'without-rf')];
    const targets = matchTargetsOf(factors);
    // The flight factors are one target: the text cannot tell the band, the distance does.
    expect(targets.map((t) => t.key)).toEqual(['air-travel']);
    const matcher = createMatchEngine({ lexicon: [{ key: 'air-travel', phrase: 'flight', source: 'tally-activity-lexicon' }], targets });
    const row = (id: string, quantity: string) => ({ id, activityType: 'match', description: 'Flight to client site', quantity, unit: 'passenger.km', region: 'GB', attributes: { origin: 'GB', destination: 'FR' } });
    const [short, long] = calculateActivities({ activities: [row('1', '900'), row('2', '6000')], factors, gwpSetId: 'AR5', gwpSets: GWP, options: { matchThreshold: 0.5 } }, { matcher, cache: createCalculationCache() }) as CalculatedResult[];
    expect(short).toMatchObject({ status: 'calculated', factorId: 'f:short-haul-to-from-uk:with-rf', co2eKg: '135', co2eVariants: { with_rf: '135', without_rf: '81' }, match: { key: 'air-travel', method: 'text' } });
    expect(long).toMatchObject({ status: 'calculated', factorId: 'f:long-haul-to-from-uk:with-rf', co2eKg: '1140' });
    expect(short!.resolution).toMatch(/^matched by text to air-travel at confidence [\d.]+; DESNZ short haul to\/from uk \(900 km per trip\)/);
  });

  it('matches a row that names no factor from its text, and holds weak matches for review', () => {
    const matcher = createMatchEngine({
      lexicon: [{ key: 'naics-2017/331110', phrase: 'Steel bars, hot-rolled, made in steel mills', source: 'census-naics-2017-index' }],
      targets: [{ key: 'naics-2017/331110', title: 'Iron and Steel Mills and Ferroalloy Manufacturing', dimensions: ['currency'] }],
    });
    const input = {
      activities: [
        { id: '1', activityType: 'spend', description: 'STEEL BARS HOT ROLLED 20MM', quantity: '1000', unit: 'USD', year: 2022, region: 'US' },
        { id: '2', activityType: 'spend', description: 'Mixed items', quantity: '1000', unit: 'USD', year: 2022, region: 'US' },
        { id: '3', activityType: 'spend', description: 'steel', quantity: '10', unit: 'USD', year: 2022, region: 'US' },
      ],
      factors: [SPEND],
      gwpSetId: 'AR5',
      gwpSets: GWP,
      options: { matchThreshold: 0.5 },
    };
    const [ok, none] = calculateActivities(input, { matcher });
    const weak = calculateActivities({ ...input, options: { matchThreshold: 1 } }, { matcher })[2];
    expect(ok).toMatchObject({ status: 'calculated', factorId: 'sc:331110:purchaser', co2eKg: '1500', match: { key: 'naics-2017/331110', method: 'text' } });
    expect((ok as CalculatedResult).resolution).toMatch(/^matched by text to naics-2017\/331110 at confidence/);
    expect(none).toMatchObject({ status: 'unmatched', reason: 'NO_MATCH', match: { key: null, method: 'none' } });
    expect(weak).toMatchObject({ status: 'unmatched', reason: 'NEEDS_REVIEW', match: { key: 'naics-2017/331110' } });
    expect(calculateActivities(input)[0]).toMatchObject({ status: 'unmatched', reason: 'NO_MATCHER' });
  });

  it("reads a close text's category profile, and a clear text's answer needs none", () => {
    const spendOn = (code: string): EmissionFactor => ({ ...SPEND, id: `sc:${code}:purchaser`, activityKey: `naics-2017/${code}/purchaser-price`, co2e: code === '326122' ? '0.4' : '0.6' });
    const lex = (code: string, phrase: string) => ({ key: `naics-2017/${code}`, phrase, source: 'census-naics-2017-index' });
    const matcher = createMatchEngine({
      lexicon: [lex('326122', 'Housings, plastics pipe, manufacturing'), lex('326122', 'PVC pipe fittings manufacturing'), lex('335931', 'Housings, electrical outlet, manufacturing'), lex('335931', 'Plugs, electric cord, manufacturing')],
      targets: [
        { key: 'naics-2017/326122', title: 'Plastics Pipe and Pipe Fitting Manufacturing', dimensions: ['currency'] },
        { key: 'naics-2017/335931', title: 'Current-Carrying Wiring Device Manufacturing', dimensions: ['currency'] },
      ],
    });
    const categoryProfiles = new Map([
      ['65933', categoryProfileOf(['COUPLING PVC 2 IN', 'TEE PVC 3 IN', 'ELBOW PVC PIPE 1 IN', 'HOUSING 2 IN'])],
      ['28580', categoryProfileOf(['PLUG CORD 120V', 'OUTLET DUPLEX', 'HOUSING 2 IN', 'CORD EXTENSION 25 FT'])],
    ]);
    const row = (id: string, description: string, category: string): ActivityInput => ({ id, activityType: 'spend', description, category, quantity: '100', unit: 'USD', year: 2022, region: 'US' });
    const cache = createCalculationCache();
    const results = calculateActivities(
      {
        // categories as codes: a category's own name is also read as text
        activities: [row('1', 'HOUSING 2 IN', '65933'), row('2', 'HOUSING 2 IN', '28580'), row('3', 'PVC PIPE FITTINGS', '65933'), row('4', 'PVC PIPE FITTINGS', '28580')],
        factors: [spendOn('326122'), spendOn('335931')],
        gwpSetId: 'AR5',
        gwpSets: GWP,
        options: { matchThreshold: 0 },
        categoryProfiles,
      },
      { matcher, cache },
    ) as CalculatedResult[];
    expect(results.map((r) => r.factorId)).toEqual(['sc:326122:purchaser', 'sc:335931:purchaser', 'sc:326122:purchaser', 'sc:326122:purchaser']);
    expect(results[1]!.match).toMatchObject({ evidence: { category: { changed: true } } });
    // the clear text reads no profile: the same answer in both categories
    expect(results[3]!.match).toEqual(results[2]!.match);
    expect(results[2]!.match!.evidence.category).toBeUndefined();
    // each text and category once without a profile, and the close text once more with each profile
    expect(cache.resolutions.size).toBe(6);
  });

  it('reads an activity type that names no factor as text, when a matcher is loaded', () => {
    const diesel: EmissionFactor = { ...DIESEL, name: 'Fuels > Liquid fuels > Diesel (average biofuel blend)', activityKey: 'fuels/liquid-fuels/diesel' };
    const matcher = createMatchEngine({ lexicon: [], targets: matchTargetsOf([diesel]) });
    const input = { activities: [{ id: '1', activityType: 'fleet-diesel', quantity: '100', unit: 'litre' }], factors: [diesel], gwpSetId: 'AR5', gwpSets: GWP, options: { matchThreshold: 0.1 } };
    expect(calculateActivities(input, { matcher })[0]).toMatchObject({ status: 'calculated', factorId: 'set:diesel', co2eKg: '257.082', match: { key: 'fuels/liquid-fuels/diesel', method: 'text' } });
    expect(calculateActivities(input)[0]).toMatchObject({ status: 'unmatched', reason: 'NO_FACTOR_FOR_ACTIVITY_TYPE' });
  });

  it("matches the key with a factor where the activity took place: its location, else its entity's region", () => {
    const uk: EmissionFactor = { ...GAS, id: 'desnz:elec', name: 'UK electricity', activityKey: 'uk-electricity', unit: 'kWh', region: 'GB' };
    const grid = (region: string, co2e: string): EmissionFactor => ({ ...GAS, id: `grid:${region}`, factorSetId: 'grid', name: 'Electricity grid average', activityKey: 'grid-electricity', unit: 'kWh', region, co2e });
    const factors = [uk, grid('US', '0.38'), grid('FR', '0.05')];
    const matcher = createMatchEngine({ lexicon: [], targets: matchTargetsOf(factors) });
    const row = (id: string, region: string, location?: string): ActivityInput => ({ id, activityType: 'electricity', quantity: '1000', unit: 'kWh', region, ...(location ? { attributes: { location } } : {}) });
    const results = calculateActivities({ activities: [row('us', 'US'), row('gb', 'GB'), row('gb-in-fr', 'GB', 'FR')], factors, gwpSetId: 'AR5', gwpSets: GWP, options: { matchThreshold: 0 } }, { matcher });
    expect(results.map((r) => (r.status === 'calculated' ? r.factorId : r.reason))).toEqual(['grid:US', 'desnz:elec', 'grid:FR']);
  });

  it('gives the same results batch after batch with a cache kept for the context, resolving each distinct row once', () => {
    const diesel: EmissionFactor = { ...DIESEL, name: 'Fuels > Liquid fuels > Diesel (average biofuel blend)', activityKey: 'fuels/liquid-fuels/diesel' };
    const engine = createMatchEngine({ lexicon: [], targets: matchTargetsOf([diesel]) });
    let matches = 0;
    const matcher = { autoAcceptThreshold: engine.autoAcceptThreshold, match: (q: Parameters<typeof engine.match>[0]) => (matches++, engine.match(q)) };
    const batch = (from: number): ActivityInput[] => [
      { id: String(from), activityType: 'fleet-diesel', quantity: '100', unit: 'litre' },
      { id: String(from + 1), activityType: 'fuels/liquid-fuels/diesel', quantity: '12.5', unit: 'litre' },
      { id: String(from + 2), activityType: 'fleet-diesel', quantity: '7', unit: 'litre' },
    ];
    const input = (from: number) => ({ activities: batch(from), factors: [diesel], gwpSetId: 'AR5', gwpSets: GWP, options: { matchThreshold: 0.1 } });
    const cache = createCalculationCache();
    const first = calculateActivities(input(1), { matcher, cache });
    const second = calculateActivities(input(4), { matcher, cache });
    expect(matches).toBe(1);
    const strip = (rs: ReturnType<typeof calculateActivities>) => rs.map(({ activityId: _, lineageToken: __, ...r }) => r);
    expect(strip(second)).toEqual(strip(first));
    expect(strip(second)).toEqual(strip(calculateActivities(input(4), { matcher: engine })));
    // rows of one resolution say so, for the lineage encoder
    expect(first[0]!.lineageToken).toBeDefined();
    expect(first[0]!.lineageToken).toBe(first[2]!.lineageToken);
    expect(first[0]!.lineageToken).toBe(second[0]!.lineageToken);
    expect(first[1]!.lineageToken).not.toBe(first[0]!.lineageToken);
  });
});
