import { describe, expect, it } from 'vitest';
import { createMatchEngine, rememberingMatches } from './engine.ts';
import { terms, words } from './normalise.ts';
import { activityKeysOfTarget, matchTargetsOf } from './targets.ts';
import type { LexiconEntry, MappingRule, MatchTarget } from './types.ts';

const spend = (code: string, title: string): MatchTarget => ({ key: `naics-2017/${code}`, title, dimensions: ['currency'] });
const TARGETS: MatchTarget[] = [
  spend('332913', 'Plumbing Fixture Fitting and Trim Manufacturing'),
  spend('326122', 'Plastics Pipe and Pipe Fitting Manufacturing'),
  spend('332216', 'Saw Blade and Handtool Manufacturing'),
  spend('541330', 'Engineering Services'),
  spend('811310', 'Commercial and Industrial Machinery and Equipment Repair and Maintenance'),
  { key: 'fuels/liquid-fuels/diesel-average-biofuel-blend', title: 'Fuels > Liquid fuels > Diesel (average biofuel blend)', dimensions: ['volume', 'mass', 'energy'] },
];
const lex = (code: string, phrase: string): LexiconEntry => ({ key: `naics-2017/${code}`, phrase, source: 'census-naics-2017-index' });
const LEXICON: LexiconEntry[] = [
  lex('332913', 'Plumbing fittings and couplings (e.g., compression fittings, metal elbows, metal unions) manufacturing'),
  lex('332913', 'Faucets, metal and plastics, manufacturing'),
  lex('326122', 'Pipe fittings, plastics, manufacturing'),
  lex('326122', 'PVC pipe manufacturing'),
  lex('332216', 'Hammers (except power-driven) manufacturing'),
  lex('332216', 'Shovels, handtools, manufacturing'),
  lex('541330', 'Engineering consulting services'),
  lex('811310', 'Industrial equipment repair'),
  lex('332913', 'Industrial equipment fittings'),
  { key: 'fuels/liquid-fuels/diesel-average-biofuel-blend', phrase: 'diesel fuel', source: 'factor-name' },
];
const engineWith = (rules: MappingRule[]) => createMatchEngine({ lexicon: LEXICON, targets: TARGETS, rules });
const engine = createMatchEngine({ lexicon: LEXICON, targets: TARGETS, naics2022To2017: { '332913': ['332913'], '999999': ['326122', '332913'] } });

describe('normalisation', () => {
  it('spells out abbreviations, drops sizes and units, and stems', () => {
    expect(words('COUPLING BRASS 1-1/4 IN W/ MIP X 16OZ STL')).toEqual(['coupling', 'brass', 'male', 'iron', 'pipe', 'steel']);
    expect(words('Aluminium moulded colour')).toEqual(['aluminum', 'molded', 'color']);
    expect(words('GLOVES WK LEATHER ADJ; VALVE FLG 4IN')).toEqual(['gloves', 'work', 'leather', 'adjustable', 'valve', 'flange']);
    expect(terms('Hammers manufacturing')).toEqual(['hammer', 'manufactur']);
  });

  it('drops a word that is also a unit only after a number: "METER, COLD WATER" is a meter, "2 METER" a length', () => {
    expect(words('METER, COLD WATER 5/8 INCH')).toEqual(['meter', 'cold', 'water']);
    expect(words('CABLE PATCH 2 METER; HOSE 50 FOOT')).toEqual(['cable', 'patch', 'hose']);
    expect(words('VALVE FOOT 4IN; Meters, water')).toEqual(['valve', 'foot', 'meters', 'water']);
    expect(words('SHIRT SZ XLARGE')).toEqual(['shirt']);
  });

  it('reads refrigerant designations, gas formulas, fuel oil grades and car sizes as words, and other numbers and sizes as nothing', () => {
    expect(words('R-410A top-up')).toEqual(['r410a', 'top', 'up']);
    expect(words('R410A; HFC-134a; hcfc 22; HFO-1234yf')).toEqual(['r410a', 'r134a', 'r22', 'r1234yf']);
    expect(words('R-134a')).toEqual(words('HFC-134a'));
    expect(words('SF6 leak; CH4; N2O')).toEqual(['sulfur', 'hexafluoride', 'leak', 'methane', 'nitrous', 'oxide']);
    expect(words('Residual fuel oil #6; Distillate Fuel Oil No. 2; item no. 12')).toEqual(['residual', 'fuel', 'oil', 'grade6', 'distillate', 'fuel', 'oil', 'grade2']);
    expect(words('Medium car, diesel; SMALL CAR WASH; GLOVES LARGE; medium van')).toEqual(['mediumcar', 'car', 'diesel', 'smallcar', 'car', 'wash', 'gloves', 'van']);
    expect(words('CABLE R 22 FT; PIPE 134A')).toEqual(['cable', 'pipe']);
  });

  it('reads SS and LS as sleeves on a garment and SS as stainless steel otherwise', () => {
    expect(words('SHIRTS, TEE, SS, 2XLARGE')).toEqual(['shirts', 'tee', 'short', 'sleeve']);
    expect(words('SHIRT UNIFORM L/S NAVY')).toEqual(['shirt', 'uniform', 'long', 'sleeve', 'navy']);
    expect(words('BOLT SS 1/2')).toEqual(['bolt', 'stainless', 'steel']);
  });

  it('spells out electrical, plumbing, safety and office purchasing abbreviations', () => {
    expect(words('BRKR CKT 20A; LMP FIXT')).toEqual(['breaker', 'circuit', 'lamp', 'fixture']);
    expect(words('STRNR PMP HSG; GLVS NITR')).toEqual(['strainer', 'pump', 'housing', 'gloves', 'nitrile']);
    expect(words('TNR CRTG BLK; LBLS')).toEqual(['toner', 'cartridge', 'black', 'labels']);
    expect(words('COUPLER HOSE; ADAPTOR; BTL SPRAY')).toEqual(['coupling', 'hose', 'adapter', 'bottle', 'spray']);
  });

  it('spells out medical purchasing abbreviations, those with a digit too', () => {
    expect(words('EPINEPHRINE INJ USP 1MG/ML')).toEqual(['epinephrine', 'injection', 'pharmaceutical']);
    expect(words('SPO2 SENSOR DISP; O2 MASK')).toEqual(['pulse', 'oximeter', 'sensor', 'disposable', 'oxygen', 'mask']);
    expect(words('EKG ELECTRODES')).toEqual(['electrocardiograph', 'electrodes']);
  });

  it('keeps "w/", "w/o" and "a/c" whole, splits other slashes, and takes no word for an object property', () => {
    expect(words('HOSE W/O FITTINGS')).toEqual(['hose', 'fittings']);
    expect(words('A/C FILTER')).toEqual(['air', 'conditioning', 'filter']);
    expect(words('Gas Detection/Monitoring Equipment')).toEqual(['gas', 'detection', 'monitoring', 'equipment']);
    expect(words('constructor toString valueOf')).toEqual(['constructor', 'tostring', 'valueof']);
    expect(words('')).toEqual([]);
  });

  it('keeps product nouns in -ing, "glasses" and "generators" apart from the word Porter folds them into', () => {
    expect(terms('bushings bush')).toEqual(['bushing', 'bush']);
    expect(terms('coatings coats')).toEqual(['coating', 'coat']);
    expect(terms('safety glasses, glass')).toEqual(['safeti', 'glasses', 'glass']);
    expect(terms('generators, general purpose, power generation')).toEqual(['generator', 'gener', 'purpos', 'power', 'generation']);
    expect(terms('engines, engineering; organic, organizations; universal, university')).toEqual(['engin', 'engineering', 'organic', 'organ', 'universal', 'univers']);
    expect(terms('fabric; fabricated steel; security; securities; boards; boarding kennels')).toEqual(['fabric', 'fabricated', 'steel', 'secur', 'securities', 'board', 'boarding', 'kennel']);
    expect(terms('meat markets; marketing; trains; training; adding machines; ADS')).toEqual(['meat', 'market', 'marketing', 'train', 'training', 'adding', 'machin', 'advertis']);
    expect(terms('ships, shipping; wells, wellness; dresses, wound dressings; parks, parking')).toEqual(['ship', 'shipping', 'well', 'wellness', 'dress', 'wound', 'dressing', 'park', 'parking']);
    // other words still get Porter's stem
    expect(terms('couplings galvanized')).toEqual(['coupl', 'galvan']);
  });
});

describe('match engine', () => {
  it('retrieves by text, with evidence, alternatives and a confidence', () => {
    const o = engine.match({ description: 'HAMMER CLAW W/WOOD HANDLE 16 OZ', unit: 'USD' });
    expect(o).toMatchObject({ key: 'naics-2017/332216', method: 'text' });
    expect(o.evidence.terms).toContain('hammer');
    expect(o.confidence).toBeGreaterThan(0);
    expect(o.confidence).toBeLessThan(1);
    expect(o.alternatives[0]!.key).toBe(o.key);
    expect(o.alternatives.length).toBeLessThanOrEqual(5);
    expect(engine.match({ description: 'PVC pipe fitting', unit: 'USD' }).key).toBe('naics-2017/326122');
  });

  it('gives alternatives confidences that never rise down the list and never sum past 1', () => {
    // Below the top, a short phrase the text covers whole ("Chain") would otherwise be rated above a
    // longer one ranked before it, and the three would sum past 1.
    const e = createMatchEngine({
      targets: [spend('332216', 'Saw Blade and Handtool Manufacturing'), spend('333991', 'Power-Driven Handtool Manufacturing'), spend('332618', 'Other Fabricated Wire Product Manufacturing')],
      lexicon: [lex('332216', 'Chain saw blades, steel, industrial, heavy'), lex('332216', 'Chain saw files'), lex('332216', 'Saw chains'), lex('333991', 'Chain saws, handheld power-driven'), lex('332618', 'Chain')],
    });
    const o = e.match({ description: 'CHAIN SAW', unit: 'USD' });
    expect(o.alternatives.map((a) => a.key)).toEqual(['naics-2017/332216', 'naics-2017/333991', 'naics-2017/332618']);
    const c = o.alternatives.map((a) => a.confidence);
    c.forEach((x, i) => i > 0 && expect(x).toBeLessThanOrEqual(c[i - 1]!));
    expect(c.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    expect(c[0]).toBe(o.confidence);
  });

  it('does not match a title on what its code leaves out: "(except Paper)" names no paper', () => {
    const titles = createMatchEngine({ lexicon: [], targets: [spend('339940', 'Office Supplies (except Paper) Manufacturing'), spend('322121', 'Paper (except Newsprint) Mills')] });
    expect(titles.match({ description: 'copy paper', unit: 'USD' }).key).toBe('naics-2017/322121');
    expect(titles.match({ description: 'office supplies', unit: 'USD' })).toMatchObject({ key: 'naics-2017/339940', evidence: { note: 'best phrase: "Office Supplies Manufacturing"' } });
    expect(titles.match({ description: 'newsprint', unit: 'USD' }).key).toBeNull();
  });

  it('prefers goods to services unless the line names a service', () => {
    expect(engine.match({ description: 'Industrial equipment', unit: 'USD' }).key).toBe('naics-2017/332913');
    expect(engine.match({ description: 'Repair and maintenance of industrial equipment', unit: 'USD' }).key).toBe('naics-2017/811310');
  });

  it('prefers services to goods, less strongly, when the line names a service', () => {
    // Both phrases hold "plumbing" and neither "repairs"; the text alone puts the shorter, the maker's, first.
    const trades = createMatchEngine({
      lexicon: [{ key: 'naics-2017/332913', phrase: 'Faucets, plumbing', source: 'census-naics-2017-index' }, { key: 'naics-2017/238220', phrase: 'Plumbing contractors, residential and commercial', source: 'census-naics-2017-index' }],
      targets: [spend('332913', 'Plumbing Fixture Fitting and Trim Manufacturing'), spend('238220', 'Plumbing, Heating, and Air-Conditioning Contractors')],
    });
    expect(trades.match({ description: 'Plumbing repairs', unit: 'USD' }).key).toBe('naics-2017/238220');
    expect(trades.match({ description: 'Plumbing', unit: 'USD' }).key).toBe('naics-2017/332913');
  });

  it("takes a set's own default where the text leaves a dimension open, not the sibling with the shortest name", () => {
    const km = (key: string, title: string): MatchTarget => ({ key, title, dimensions: ['distance'] });
    const lorries = createMatchEngine({
      lexicon: [],
      targets: [km('delivery/hgv/0-laden', 'Delivery vehicles > HGV (all diesel) > 0% Laden'), km('delivery/hgv/average-laden', 'Delivery vehicles > HGV (all diesel) > Average laden'), km('delivery/hgv/100-laden', 'Delivery vehicles > HGV (all diesel) > 100% Laden')],
    });
    expect(lorries.match({ description: 'HGV diesel', unit: 'km' }).key).toBe('delivery/hgv/average-laden');
  });

  it('weighs words that grade a thing ("heavy duty") less than the words that name it', () => {
    const graded = createMatchEngine({
      lexicon: [{ key: 'naics-2017/336120', phrase: 'Heavy duty trucks', source: 'census-naics-2017-index' }, { key: 'naics-2017/339994', phrase: 'Brushes', source: 'census-naics-2017-index' }],
      targets: [spend('336120', 'Heavy Duty Truck Manufacturing'), spend('339994', 'Broom, Brush, and Mop Manufacturing')],
    });
    expect(graded.match({ description: 'HEAVY DUTY BRUSH', unit: 'USD' }).key).toBe('naics-2017/339994');
    expect(graded.match({ description: 'HEAVY DUTY TRUCK', unit: 'USD' }).key).toBe('naics-2017/336120');
  });

  it("takes a text that is one of Tally's names at 0.9, unless another key is named by it too", () => {
    const volume = (key: string): MatchTarget => ({ key, title: key, dimensions: ['volume'] });
    const name = (key: string, phrase: string): LexiconEntry => ({ key, phrase, source: 'tally-activity-lexicon' });
    const named = createMatchEngine({
      lexicon: [name('fuel/kerosene', 'kerosene'), name('fuel/jet', 'aviation kerosene'), name('water/supply', 'water'), name('water/treatment', 'water')],
      targets: [volume('fuel/kerosene'), volume('fuel/jet'), volume('water/supply'), volume('water/treatment')],
    });
    const kerosene = named.match({ description: 'KEROSENE', unit: 'litre' });
    expect(kerosene).toMatchObject({ key: 'fuel/kerosene', confidence: 0.9 });
    expect(kerosene.alternatives.reduce((sum, a) => sum + a.confidence, 0)).toBeLessThanOrEqual(1);
    expect(named.match({ description: 'Aviation kerosene', unit: 'litre' })).toMatchObject({ key: 'fuel/jet', confidence: 0.9 });
    expect(named.match({ description: 'Water', unit: 'litre' }).confidence).toBeLessThan(0.85);
  });

  it('tells goods words from the service words they share a stem with: disposable is not disposal', () => {
    // Porter stems "disposable" as "disposal", "electric" as "electricity", "utility" as "utilities".
    for (const goods of ['Industrial equipment, disposable', 'Industrial equipment, electric', 'Industrial equipment, utility']) expect(engine.match({ description: goods, unit: 'USD' }).key).toBe('naics-2017/332913');
    for (const service of ['Industrial equipment disposal', 'Industrial equipment, electricity', 'Industrial equipment utilities']) expect(engine.match({ description: service, unit: 'USD' }).key).toBe('naics-2017/811310');
  });

  it('admits only unit-compatible targets: spend never matches a fuel, litres never a spend factor', () => {
    expect(engine.match({ description: 'DIESEL 45.2L', unit: 'litre' })).toMatchObject({ key: 'fuels/liquid-fuels/diesel-average-biofuel-blend', method: 'text' });
    expect(engine.match({ description: 'diesel fuel', unit: 'USD' }).key).toBeNull();
    expect(engine.match({ description: 'PVC pipe', unit: 'litre' }).key).toBeNull();
  });

  it('takes codes in the row before text: NAICS 2017, NAICS 2022 through the bridge, a code in the text', () => {
    expect(engine.match({ description: 'hammers', naics2017: '326122', unit: 'USD' })).toMatchObject({ key: 'naics-2017/326122', method: 'code', confidence: 0.99 });
    expect(engine.match({ description: '', naics2022: '999999', unit: 'USD' })).toMatchObject({ key: 'naics-2017/326122', method: 'code', confidence: 0.85 });
    expect(engine.match({ description: 'Misc parts (NAICS 332913)', unit: 'USD' })).toMatchObject({ key: 'naics-2017/332913', method: 'code' });
  });

  it('applies the organisation\'s confirmed rules first, exact before contains before regex', () => {
    const withRules = engineWith([
      { id: 'r-regex', kind: 'regex', field: 'description', pattern: '^hammer', key: 'naics-2017/332913', createdBy: 'key-1' },
      { id: 'r-exact', kind: 'exact', field: 'description', pattern: 'hammer  claw', key: 'naics-2017/326122', createdBy: 'key-2' },
      { id: 'r-supplier', kind: 'contains', field: 'supplier', pattern: 'acme tools', key: 'naics-2017/332216', createdBy: 'key-3' },
    ]);
    expect(withRules.match({ description: 'Hammer Claw', unit: 'USD' })).toMatchObject({ key: 'naics-2017/326122', method: 'rule', confidence: 1, evidence: { ruleId: 'r-exact', createdBy: 'key-2' } });
    expect(withRules.match({ description: 'hammer, sledge', unit: 'USD' }).evidence.ruleId).toBe('r-regex');
    expect(withRules.match({ description: 'widgets', supplier: 'ACME Tools Ltd', unit: 'USD' }).evidence.ruleId).toBe('r-supplier');
  });

  it("applies a rule for one category only to that category's rows, before a rule for any category", () => {
    const withRules = engineWith([
      { id: 'r-any', kind: 'exact', field: 'description', pattern: 'fitting 2 in', key: 'naics-2017/332913', createdBy: 'key-1' },
      { id: 'r-pipe', kind: 'exact', field: 'description', pattern: 'fitting 2 in', key: 'naics-2017/326122', category: 'Pipe  Fittings', createdBy: 'key-2' },
    ]);
    expect(withRules.match({ description: 'FITTING 2 IN', category: 'PIPE FITTINGS', unit: 'USD' })).toMatchObject({ key: 'naics-2017/326122', evidence: { ruleId: 'r-pipe' } });
    expect(withRules.match({ description: 'FITTING 2 IN', category: 'WIRING', unit: 'USD' })).toMatchObject({ key: 'naics-2017/332913', evidence: { ruleId: 'r-any' } });
    expect(withRules.match({ description: 'FITTING 2 IN', unit: 'USD' }).evidence.ruleId).toBe('r-any');
    const scopedOnly = engineWith([{ id: 'r-pipe', kind: 'contains', field: 'description', pattern: 'fitting', key: 'naics-2017/326122', category: 'pipe fittings', createdBy: 'key-2' }]);
    expect(scopedOnly.match({ description: 'FITTING 2 IN', unit: 'USD' }).method).not.toBe('rule');
    expect(scopedOnly.match({ description: 'FITTING 2 IN', category: 'wiring', unit: 'USD' }).method).not.toBe('rule');
  });

  it("applies a rule for one region only to rows in it or in a region within it, the narrowest first", () => {
    const withRules = engineWith([
      { id: 'r-any', kind: 'exact', field: 'description', pattern: 'diesel', key: 'naics-2017/332913', createdBy: 'key-1' },
      { id: 'r-gb', kind: 'exact', field: 'description', pattern: 'diesel', key: 'fuels/liquid-fuels/diesel-average-biofuel-blend', region: 'GB', createdBy: 'key-2' },
      { id: 'r-us', kind: 'exact', field: 'description', pattern: 'diesel', key: 'naics-2017/326122', region: 'us', createdBy: 'key-3' },
      { id: 'r-camx', kind: 'exact', field: 'description', pattern: 'diesel', key: 'naics-2017/332216', region: 'US-EGRID-CAMX', createdBy: 'key-4' },
    ]);
    const ruleFor = (region?: string) => withRules.match({ description: 'DIESEL', unit: 'USD', ...(region ? { region } : {}) }).evidence.ruleId;
    expect(ruleFor('GB')).toBe('r-gb');
    expect(ruleFor('US')).toBe('r-us');
    expect(ruleFor('US-EGRID-RFCW')).toBe('r-us');
    expect(ruleFor('US-EGRID-CAMX')).toBe('r-camx');
    expect(ruleFor('DE')).toBe('r-any');
    expect(ruleFor()).toBe('r-any');
    // The rule for British rows is a rule, not a labelled line for every row's text.
    expect(engineWith([{ id: 'r-gb', kind: 'exact', field: 'description', pattern: 'widget gizmo', key: 'naics-2017/332216', region: 'GB', createdBy: 'k' }]).match({ description: 'widget gizmo', unit: 'USD', region: 'DE' }).key).toBeNull();
  });

  it('remembers answers per the rule regions that hold for a row: a rule for one region is not served to another', () => {
    const rules: MappingRule[] = [{ id: 'r-gb', kind: 'exact', field: 'description', pattern: 'hammer', key: 'naics-2017/326122', region: 'GB', createdBy: 'k' }];
    const engine = engineWith(rules);
    expect([engine.regionClass!('GB', 'USD'), engine.regionClass!('GB-ENG', 'USD'), engine.regionClass!('DE', 'USD'), engine.regionClass!(undefined, 'USD')]).toEqual(['|GB', '|GB', '', '']);
    const remembering = rememberingMatches(engine);
    expect(remembering.match({ description: 'HAMMER', unit: 'USD', region: 'GB' }).method).toBe('rule');
    const de = remembering.match({ description: 'HAMMER', unit: 'USD', region: 'DE' });
    expect(de).toMatchObject({ method: 'text', key: 'naics-2017/332216' });
    // nor does it count in the code prior, which leans rows of every region
    expect(de.evidence.codePrior).toBeUndefined();
  });

  it('answers no match when there is nothing to go on', () => {
    expect(engine.match({ description: '12 X 4 IN 16OZ', unit: 'USD' })).toMatchObject({ key: null, method: 'none' });
    expect(engine.match({ description: 'zzyzx quux', unit: 'USD' })).toMatchObject({ key: null, method: 'none' });
  });

  it('is deterministic', () => {
    const q = { description: 'COUPLING BRASS COMPRESSION', unit: 'USD' };
    expect(engine.match(q)).toEqual(engine.match(q));
  });
});

describe('the region of a row', () => {
  // Two keys say "electricity": one set's UK electricity (GB only) and a grid average with factors for the US and France.
  const regional = createMatchEngine({
    lexicon: [
      { key: 'uk-electricity', phrase: 'electricity', source: 'tally-activity-lexicon' },
      { key: 'grid-average', phrase: 'electricity', source: 'tally-activity-lexicon' },
    ],
    targets: [
      { key: 'uk-electricity', title: 'UK electricity', dimensions: ['energy'], regions: ['GB'] },
      { key: 'grid-average', title: 'Electricity grid average', dimensions: ['energy'], regions: ['FR', 'US'] },
    ],
  });
  const electricity = (region?: string) => regional.match({ description: 'Electricity', unit: 'kWh', region });

  it('prefers a key with a factor for the row\'s region, or a parent of it, to one that would stand in', () => {
    expect(electricity('US').key).toBe('grid-average');
    expect(electricity('US-EGRID-CAMX').key).toBe('grid-average');
    expect(electricity('GB').key).toBe('uk-electricity');
    expect(electricity('GB-LND').key).toBe('uk-electricity');
  });

  it('changes nothing, to the last bit, where every key or none has a factor for the region', () => {
    expect(regional.regionClass!('DE', 'kWh')).toBe('');
    expect(electricity('DE')).toEqual(electricity(undefined));
    // Japan has a factor for gas only: the region splits the keys, but neither "electricity" key
    // has a factor there, so both count half and the answer is the one without a region.
    const withGas = createMatchEngine({
      lexicon: [
        { key: 'uk-electricity', phrase: 'electricity', source: 'tally-activity-lexicon' },
        { key: 'grid-average', phrase: 'electricity supply', source: 'tally-activity-lexicon' },
        { key: 'jp-gas', phrase: 'city gas', source: 'tally-activity-lexicon' },
      ],
      targets: [
        { key: 'uk-electricity', title: 'UK electricity', dimensions: ['energy'], regions: ['GB'] },
        { key: 'grid-average', title: 'Electricity grid average', dimensions: ['energy'], regions: ['FR', 'US'] },
        { key: 'jp-gas', title: 'City gas', dimensions: ['energy'], regions: ['JP'] },
      ],
    });
    expect(withGas.regionClass!('JP', 'kWh')).not.toBe('');
    const q = { description: 'Electricity supply', unit: 'kWh' };
    expect(withGas.match({ ...q, region: 'JP' })).toEqual(withGas.match(q));
    expect(withGas.match(q).alternatives.map((a) => a.key).sort()).toEqual(['grid-average', 'uk-electricity']);
    expect(regional.regionClass!('US', 'kWh')).not.toBe('');
    expect(regional.regionClass!('US-EGRID-CAMX', 'kWh')).toBe(regional.regionClass!('US', 'kWh'));
    // nor for a unit none of the regional keys is in: the region weighs only the keys a row can match
    expect(regional.regionClass!('US', 'USD')).toBe('');
    // an engine whose keys name no region: a region never changes its answers, nor what a cache keys them by
    expect(engine.regionClass!('DE', 'USD')).toBe('');
    expect(engine.match({ description: 'PVC pipe', unit: 'USD', region: 'DE' })).toEqual(engine.match({ description: 'PVC pipe', unit: 'USD' }));
  });

  it('is remembered per region class: the same text in two classes is two answers', () => {
    const m = rememberingMatches(regional);
    expect(m.match({ description: 'Electricity', unit: 'kWh', region: 'US' }).key).toBe('grid-average');
    expect(m.match({ description: 'Electricity', unit: 'kWh', region: 'GB' }).key).toBe('uk-electricity');
    expect(m.match({ description: 'Electricity', unit: 'kWh', region: 'FR' }).key).toBe('grid-average');
  });
});

describe('matchTargetsOf', () => {
  it('makes one target per key, a spend factor\'s price variants one target', () => {
    const base = { factorSetId: 's', scope: 3 as const, category: 'c', region: 'US', year: 2022, co2e: '1', gasBasis: 'co2e' as const, gwpBasis: 'AR5', gases: {}, sourceRef: '', sourceRows: [] };
    const t = matchTargetsOf([
      { ...base, id: 'a', activityKey: 'naics-2017/331110/purchaser-price', name: 'Iron and Steel Mills (NAICS 331110, purchaser price)', unit: 'USD' },
      { ...base, id: 'b', activityKey: 'naics-2017/331110/producer-price', name: 'Iron and Steel Mills (NAICS 331110, producer price)', unit: 'USD' },
      { ...base, id: 'c', activityKey: 'fuels/diesel', name: 'Fuels > Diesel', unit: 'litre' },
      { ...base, id: 'd', activityKey: 'fuels/diesel', name: 'Fuels > Diesel', unit: 'kWh_net' },
    ]);
    expect(t).toEqual([
      { key: 'naics-2017/331110', title: 'Iron and Steel Mills', dimensions: ['currency'], regions: ['US'] },
      { key: 'fuels/diesel', title: 'Fuels > Diesel', dimensions: ['energy', 'volume'], regions: ['US'] },
    ]);
    // and back: the activity keys a target stands for
    expect(activityKeysOfTarget('naics-2017/331110')).toEqual(['naics-2017/331110', 'naics-2017/331110/purchaser-price', 'naics-2017/331110/producer-price']);
    expect(activityKeysOfTarget('fuels/diesel')).toEqual(['fuels/diesel']);
  });

  it('leaves out factors of CH4 and N2O alone: a fuel line matched to one would lose its CO2', () => {
    const base = { factorSetId: 's', scope: 1 as const, category: '1 Mobile combustion', region: 'US', year: 2025, co2e: null, gasBasis: 'mass' as const, gwpBasis: null, sourceRef: '', sourceRows: [] };
    const t = matchTargetsOf([
      { ...base, id: 'a', activityKey: 'mobile-combustion-co2/diesel-fuel', name: 'Mobile combustion CO2 > Diesel Fuel', unit: 'us_gal', gases: { CO2: '10.21' } },
      { ...base, id: 'b', activityKey: 'mobile-combustion-ch4-n2o/locomotives/diesel', name: 'Mobile combustion CH4 N2O > Locomotives > Diesel', unit: 'us_gal', gases: { CH4: '0.0008', N2O: '0.00026' } },
      { ...base, id: 'c', activityKey: 'refrigerants/hfc-134a', name: 'HFC-134a', unit: 'kg', gases: { 'HFC-134a': '1' } },
    ]);
    expect(t.map((x) => x.key)).toEqual(['mobile-combustion-co2/diesel-fuel', 'refrigerants/hfc-134a']);
  });

  it("keeps a biomass fuel's Scope 1 factor of CH4 and N2O, whose CO2 is reported outside the scopes", () => {
    const base = { factorSetId: 's', category: '1 Stationary combustion', region: 'US', year: 2025, co2e: null, gasBasis: 'mass' as const, gwpBasis: null, sourceRef: '', sourceRows: [], unit: 'short_ton' };
    const t = matchTargetsOf([
      { ...base, id: 'a', scope: 1, activityKey: 'stationary-combustion/wood', name: 'Stationary combustion > Wood', gases: { CH4: '0.126', N2O: '0.063' } },
      { ...base, id: 'b', scope: null, category: 'Outside of scopes', activityKey: 'outside-of-scopes/stationary-combustion/wood', name: 'Outside of scopes > Stationary combustion > Wood', gases: { CO2: '1640' } },
    ]);
    expect(t.map((x) => x.key)).toEqual(['stationary-combustion/wood', 'outside-of-scopes/stationary-combustion/wood']);
  });
});

describe('well-to-tank factors', () => {
  const targets: MatchTarget[] = [
    { key: 'fuels/gaseous-fuels/natural-gas', title: 'Fuels > Gaseous fuels > Natural gas', dimensions: ['energy'] },
    { key: 'wtt-fuels/gaseous-fuels/natural-gas', title: 'WTT- fuels > Gaseous fuels > Natural gas', dimensions: ['energy'] },
  ];
  const e = createMatchEngine({ lexicon: [], targets });

  it('are matched only by a text that names well-to-tank, and such a text matches them alone: a gas line is the gas, reported beside its upstream, never in its place', () => {
    const gas = e.match({ description: 'Natural gas', unit: 'kWh' });
    expect(gas.key).toBe('fuels/gaseous-fuels/natural-gas');
    expect(gas.alternatives.map((a) => a.key)).toEqual(['fuels/gaseous-fuels/natural-gas']);
    expect(e.match({ description: 'WTT natural gas', unit: 'kWh' }).key).toBe('wtt-fuels/gaseous-fuels/natural-gas');
    expect(e.match({ description: 'Well-to-tank natural gas', unit: 'kWh' }).key).toBe('wtt-fuels/gaseous-fuels/natural-gas');
    expect(e.match({ description: 'natural gas, well to tank', unit: 'kWh' }).alternatives.map((a) => a.key)).toEqual(['wtt-fuels/gaseous-fuels/natural-gas']);
  });
});

describe('rememberingMatches', () => {
  it('answers a repeated query from memory, with the same answer', () => {
    let calls = 0;
    const counting = { autoAcceptThreshold: 0.8, match: (q: Parameters<typeof engine.match>[0]) => (calls++, engine.match(q)) };
    const m = rememberingMatches(counting, 2);
    const q = { description: 'PVC pipe fitting', unit: 'USD' };
    expect(m.match(q)).toEqual(engine.match(q));
    m.match({ ...q });
    expect(calls).toBe(1);
    m.match({ description: 'hammer', unit: 'USD' });
    m.match({ description: 'shovel', unit: 'USD' });
    m.match(q);
    expect(calls).toBe(4);
  });

  it('matches a text once whatever the region and year of the row: the engine reads neither', () => {
    let calls = 0;
    const counting = { autoAcceptThreshold: 0.8, match: (q: Parameters<typeof engine.match>[0]) => (calls++, engine.match(q)) };
    const m = rememberingMatches(counting);
    const q = { description: 'PVC pipe fitting', unit: 'USD' };
    expect(engine.match({ ...q, region: 'FR', year: 2019 })).toEqual(engine.match({ ...q, region: 'US', year: 2024 }));
    m.match({ ...q, region: 'FR', year: 2019 });
    m.match({ ...q, region: 'US', year: 2024 });
    expect(calls).toBe(1);
  });
});

describe('a code prior', () => {
  // "Fittings" names plumbing and plastics pipe fittings alike; labelled purchase lines are often the plastics ones.
  const withPrior = (lines: number) => createMatchEngine({ lexicon: LEXICON, targets: TARGETS, codePrior: new Map([['naics-2017/326122', lines]]) });
  const q = { description: 'FITTINGS', unit: 'USD' };

  it('chooses among keys the text leaves close, keeping the confidences the text alone gives', () => {
    const own = engine.match(q);
    expect(own.alternatives.map((a) => a.key).slice(0, 2)).toEqual(['naics-2017/332913', 'naics-2017/326122']);
    const o = withPrior(5).match(q);
    expect(o.key).toBe('naics-2017/326122');
    expect(o.evidence.codePrior).toEqual({ lines: 5, changed: true });
    // the key keeps the confidence the text gave it (as the runner-up), not the winner's
    expect(o.confidence).toBe(own.alternatives[1]!.confidence);
    expect(o.evidence.margin).toBe(own.evidence.margin);
  });

  it("counts the organisation's confirmed rules: a decision leans the next close line its way", () => {
    const rule: MappingRule = { id: 'r1', kind: 'exact', field: 'description', pattern: 'COUPLING PVC 2 IN', key: 'naics-2017/326122', createdBy: 'reviewer' };
    const o = engineWith([rule]).match(q);
    expect(o).toMatchObject({ key: 'naics-2017/326122', method: 'text', evidence: { codePrior: { lines: 1, changed: true } } });
    expect(engineWith([{ ...rule, key: 'naics-2017/332913' }]).match(q)).toMatchObject({ key: 'naics-2017/332913', evidence: { codePrior: { lines: 1, changed: false } } });
  });

  it('leaves a clear lead, and an engine without one, as the text ranks them', () => {
    const pipe = { description: 'PIPE FITTINGS', unit: 'USD' };
    const o = createMatchEngine({ lexicon: LEXICON, targets: TARGETS, codePrior: new Map([['naics-2017/332913', 50]]) }).match(pipe);
    expect(o).toMatchObject({ key: 'naics-2017/326122', confidence: engine.match(pipe).confidence, evidence: { codePrior: { lines: 0, changed: false } } });
    const service = withPrior(1000).match({ description: 'ENGINEERING CONSULTING SERVICES', unit: 'USD' });
    expect(service).toMatchObject({ key: 'naics-2017/541330', evidence: { codePrior: { lines: 0, changed: false } } });
    expect(engine.match(q).evidence.codePrior).toBeUndefined();
  });

  it("leaves a text that is one of Tally's names to the key it names", () => {
    const names = [...LEXICON, { key: 'naics-2017/332913', phrase: 'fittings', source: 'tally-expense-lexicon' }];
    const o = createMatchEngine({ lexicon: names, targets: TARGETS, codePrior: new Map([['naics-2017/326122', 1000]]) }).match(q);
    expect(o).toMatchObject({ key: 'naics-2017/332913', confidence: 0.9 });
    expect(o.evidence.codePrior).toBeUndefined();
  });
});

describe('labelled purchase lines as examples', () => {
  const example: LexiconEntry = { key: 'naics-2017/332913', phrase: 'TAPE THREAD SEAL PTFE 1/2 IN', source: 'labelled-purchase-line' };
  const q = { description: 'Thread seal tape, PTFE, 3/4"', unit: 'USD' };

  it('match a line worded like one to its key, and say so in the evidence', () => {
    expect(engine.match(q).key).toBeNull();
    const o = createMatchEngine({ lexicon: LEXICON, targets: TARGETS, examples: [example] }).match(q);
    expect(o).toMatchObject({ key: 'naics-2017/332913', method: 'text' });
    expect(o.evidence.note).toBe('best phrase: "TAPE THREAD SEAL PTFE 1/2 IN" (a labelled purchase line)');
    expect(o.evidence.terms).toEqual(expect.arrayContaining(['thread', 'seal', 'tape', 'ptfe']));
  });

  it('count as one phrase of their key, not as words of its whole document', () => {
    // The example names a hammer too; as a document word it would lift plumbing fittings for every hammer.
    const withHammer = createMatchEngine({ lexicon: LEXICON, targets: TARGETS, examples: [{ ...example, phrase: 'FAUCET HAMMER ARRESTOR' }] });
    const hammer = { description: 'HAMMER CLAW 16 OZ', unit: 'USD' };
    expect(withHammer.match(hammer).key).toBe('naics-2017/332216');
    expect(withHammer.match(hammer).alternatives.find((a) => a.key === 'naics-2017/332913')?.confidence ?? 0).toBeLessThan(engine.match(hammer).confidence);
  });

  it("take the organisation's confirmed description rules in: a decision teaches lines worded like it", () => {
    const rule: MappingRule = { id: 'r1', kind: 'exact', field: 'description', pattern: 'TAPE THREAD SEAL PTFE 1/2 IN', key: 'naics-2017/332913', createdBy: 'reviewer' };
    expect(engineWith([rule]).match(q)).toMatchObject({ key: 'naics-2017/332913', method: 'text' });
    expect(engineWith([{ ...rule, kind: 'contains', pattern: 'THREAD SEAL TAPE WHITE' }]).match(q)).toMatchObject({ key: 'naics-2017/332913', method: 'text' });
    // A regex is no text, and a rule on another field no description.
    expect(engineWith([{ ...rule, kind: 'regex', pattern: '^TAPE THREAD' }]).match(q).key).toBeNull();
    expect(engineWith([{ ...rule, field: 'supplier' }]).match(q).key).toBeNull();
  });

  it("read a rule for one category as that category's line: it leans the category's rows most", () => {
    const scoped = engineWith([{ id: 'r1', kind: 'exact', field: 'description', pattern: 'TAPE THREAD SEAL PTFE 1/2 IN', category: 'Plumbing', key: 'naics-2017/332913', createdBy: 'reviewer' }]);
    const same = scoped.match({ ...q, category: 'PLUMBING' });
    const other = scoped.match({ ...q, category: 'ELECTRICAL' });
    expect(same).toMatchObject({ key: 'naics-2017/332913', method: 'text', evidence: { note: 'best phrase: "TAPE THREAD SEAL PTFE 1/2 IN ; Plumbing" (a labelled purchase line)' } });
    expect(other.key).toBe('naics-2017/332913');
    expect(other.confidence).toBeLessThan(same.confidence);
  });

  it('leave keys the engine has no target for out', () => {
    const o = createMatchEngine({ lexicon: LEXICON, targets: TARGETS, examples: [{ ...example, key: 'naics-2017/999999' }] }).match(q);
    expect(o.key).toBeNull();
  });
});

describe('a boundary: something the library holds no factor for on purpose', () => {
  const boundaries = {
    targets: [{ key: 'naics-2017/221122', title: 'Electric Power Distribution', dimensions: ['currency'], note: 'no spend factor: report electricity by the kWh' }],
    lexicon: [{ key: 'naics-2017/221122', phrase: 'electricity bill', source: 'tally-expense-lexicon' }],
  };
  const targets = [...TARGETS, { key: 'electricity/grid-average-location-based', title: 'Electricity > Grid average', dimensions: ['energy'] }];
  const lexicon = [...LEXICON, { key: 'electricity/grid-average-location-based', phrase: 'grid electricity', source: 'factor-name' }];
  const withBoundary = createMatchEngine({ lexicon, targets, boundaries });

  it('answers a spend line that names it with no match, saying which and why', () => {
    const o = withBoundary.match({ description: 'Electricity bill March', unit: 'USD' });
    expect(o).toMatchObject({ key: null, method: 'none', evidence: { withoutFactor: { key: 'naics-2017/221122', title: 'Electric Power Distribution' } } });
    expect(o.evidence.note).toBe('no spend factor: report electricity by the kWh (best phrase: "electricity bill")');
    expect(o.confidence).toBeGreaterThan(0.5);
    // never offered as an alternative a reviewer could choose
    expect(o.alternatives.some((a) => a.key === 'naics-2017/221122')).toBe(false);
  });

  it('leaves rows in its units only: electricity by the kWh meets the grid factor', () => {
    expect(withBoundary.match({ description: 'Electricity bill March', unit: 'kWh' }).key).toBe('electricity/grid-average-location-based');
  });

  it('answers a row that names it by code with no match too', () => {
    expect(withBoundary.match({ description: 'utility', naics2017: '221122', unit: 'USD' })).toMatchObject({ key: null, method: 'none', confidence: 0.99, evidence: { code: 'NAICS 2017 221122', withoutFactor: { key: 'naics-2017/221122' } } });
  });

  it('is no boundary where the run has a factor for its key', () => {
    const priced = createMatchEngine({ lexicon, targets: [...targets, spend('221122', 'Electric Power Distribution')], boundaries });
    expect(priced.match({ description: 'Electricity bill March', unit: 'USD' })).toMatchObject({ key: 'naics-2017/221122', method: 'text' });
  });
});
