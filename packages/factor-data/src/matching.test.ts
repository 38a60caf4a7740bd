import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMatchEngine, matchTargetsOf, type MatchEngine } from '@tally/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_LINE_SETS, ACTIVITY_LINES } from './test/activityLines.ts';
import { AUSTIN_DEV_FILE, BUNDLED_FACTOR_SETS, codePriorOf, examplesOf, loadBundledFactorSet, loadLabelledItems, loadMatchingLexicon, stripCensusTitleMarker, type MatchingLexicon } from './index.ts';

describe('matching lexicon', () => {
  let m: MatchingLexicon;
  beforeAll(async () => {
    m = await loadMatchingLexicon();
  });

  it('has the Census 2017 index, the 6-digit titles and the CaML phrases, on EPA v1.3.0 codes only', async () => {
    const count = (source: string) => m.lexicon.filter((e) => e.source === source).length;
    const codes = (source?: string) => new Set(m.lexicon.filter((e) => !source || e.source === source).map((e) => e.key)).size;
    expect(count('census-naics-2017-index')).toBe(19_723); // of 20,057 coded entries
    expect(count('naics-2017-title')).toBe(1016);
    expect(count('caml')).toBe(1382);
    expect(count('naics-2017-description')).toBe(1016);
    expect(count('tally-expense-lexicon')).toBe(260);
    expect(count('tally-activity-lexicon')).toBe(357);
    expect(count('census-naics-2022-index')).toBe(700); // phrases the 2022 index added, on bridged 2017 codes
    expect(codes('census-naics-2022-index')).toBe(261);
    expect(m.lexicon).toHaveLength(19_723 + 1016 + 1016 + 260 + 357 + 1382 + 700);
    const handtools = m.lexicon.find((e) => e.source === 'naics-2017-description' && e.key === 'naics-2017/332216')!;
    expect(handtools.phrase).toContain('manufacturing saw blades');
    expect(handtools.phrase).not.toMatch(/Cross-References|industry comprises/);
    expect(codes('census-naics-2017-index')).toBe(1014);
    expect(codes('caml')).toBe(137);
    expect(codes()).toBe(1016 + 245);

    // Every key is one the bundled sets can be matched to: EPA v1.3.0 codes, and the activity
    // lexicon's fuel, energy, travel, freight and waste keys in a DESNZ edition, the EPA Hub or the grid set.
    const ids = ['epa-sc-v1.3.0', ...BUNDLED_FACTOR_SETS.map((b) => b.meta.id).filter((id) => id !== 'epa-sc-v1.3.0' && id !== 'epa-sc-v1.2')];
    const bundled = await Promise.all(ids.map(async (id) => new Set(matchTargetsOf((await loadBundledFactorSet(id)).result.factors).map((t) => t.key))));
    const [epa] = bundled;
    expect(m.lexicon.filter((e) => e.source !== 'tally-activity-lexicon').every((e) => epa!.has(e.key))).toBe(true);
    expect(m.lexicon.filter((e) => e.source === 'tally-activity-lexicon' && !bundled.some((keys) => keys.has(e.key)))).toEqual([]);
    expect(m.lexicon.every((e) => e.phrase === e.phrase.trim() && e.phrase.length > 0)).toBe(true);
    expect(m.lexicon.some((e) => e.phrase.includes('--'))).toBe(false); // no `******` cross-reference
    // electric power generation and public administration have no EPA factor
    expect(m.lexicon.some((e) => /^naics-2017\/(2211|92)/.test(e.key))).toBe(false);
  });

  it('knows a few phrases', () => {
    const has = (key: string, phrase: string, source: string) => m.lexicon.some((e) => e.key === key && e.phrase === phrase && e.source === source);
    expect(has('naics-2017/111120', 'Flaxseed farming, field and seed production', 'census-naics-2017-index')).toBe(true);
    expect(has('naics-2017/326122', 'Plastics Pipe and Pipe Fitting Manufacturing', 'naics-2017-title')).toBe(true);
    expect(has('naics-2017/112130', 'Dual-Purpose Cattle Ranching and Farming', 'naics-2017-title')).toBe(true); // no index entry
    expect(has('naics-2017/111219', 'Cassava farming, field and seed casava production', 'caml')).toBe(true);
    // new in the 2022 index, on the 2017 code its 2022 code bridges to (513130 is 511130 in 2017)
    expect(has('naics-2017/485310', 'Ridesharing arrangement services', 'census-naics-2022-index')).toBe(true);
    expect(has('naics-2017/511130', 'School book publishers', 'census-naics-2022-index')).toBe(true);
    expect(m.lexicon.some((e) => e.source === 'census-naics-2022-index' && e.phrase === 'Flaxseed farming, field and seed production')).toBe(false);
    // a CaML phrase the Census index already has for the same code is not repeated
    expect(m.lexicon.filter((e) => e.key === 'naics-2017/111120' && e.phrase === 'Flaxseed farming, field and seed production')).toHaveLength(1);
    expect(stripCensusTitleMarker('Agriculture, Forestry, Fishing and HuntingT')).toBe('Agriculture, Forestry, Fishing and Hunting');
    expect(stripCensusTitleMarker('Oilseed (except Soybean) FarmingT ')).toBe('Oilseed (except Soybean) Farming');
    expect(stripCensusTitleMarker('Corn Farming ')).toBe('Corn Farming');
  });

  it("ships a code prior: the Austin development set's labelled descriptions per key", () => {
    const p = m.codePrior;
    expect([...p.values()].reduce((a, b) => a + b, 0)).toBe(914); // the 15 items labelled -1/-2/-3 count nowhere
    expect([...p.keys()].every((k) => /^naics-2017\/\d{6}$/.test(k))).toBe(true);
    // uniforms, handtools and protective and first-aid supplies are the city's most common labels
    expect([...p].sort((a, b) => b[1] - a[1]).slice(0, 3)).toEqual([['naics-2017/315220', 48], ['naics-2017/332216', 42], ['naics-2017/339113', 41]]);
    expect(codePriorOf([{ description: 'x', label: '326122', labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] }, { description: 'y', label: null, labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] }])).toEqual(new Map([['naics-2017/326122', 1]]));
  });

  it("ships the Austin development set's labelled descriptions as example lines of their keys", () => {
    expect(m.examples).toHaveLength(914); // the 15 items labelled -1/-2/-3 name no key
    expect(m.examples.every((e) => /^naics-2017\/\d{6}$/.test(e.key) && e.source === 'labelled-purchase-line')).toBe(true);
    expect(m.examples[0]).toEqual({ key: 'naics-2017/326122', phrase: 'COUPLING SCH 40 PVC 3 SLIP', source: 'labelled-purchase-line' });
    expect(examplesOf([{ description: 'x', label: '326122', labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] }, { description: 'y', label: null, labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] }])).toEqual([{ key: 'naics-2017/326122', phrase: 'x', source: 'labelled-purchase-line' }]);
  });

  it('ships electric power delivery and vehicle fluids as boundaries: what the library holds no factor for on purpose, with their phrases', () => {
    expect(m.boundaries.targets.map((t) => [t.key, t.title, t.dimensions])).toEqual([
      ['naics-2017/221121', 'Electric Bulk Power Transmission and Control', ['currency']],
      ['naics-2017/221122', 'Electric Power Distribution', ['currency']],
      ['not-a-fuel/vehicle-fluids-and-additives', 'Vehicle fluids and fuel additives (not fuels)', ['volume', 'mass']],
    ]);
    expect(m.boundaries.targets[0]!.note).toMatch(/Scope 2; report it by the kWh/);
    expect(m.boundaries.targets[2]!.note).toMatch(/not burnt as fuel/);
    expect(m.boundaries.lexicon).toHaveLength(6 + 2 + 5 + 7);
    expect(m.boundaries.lexicon).toContainEqual({ key: 'naics-2017/221122', phrase: 'power bill', source: 'tally-expense-lexicon' });
    // not a phrase of the lexicon, whose codes all have EPA factors
    expect(m.lexicon.some((e) => e.key.startsWith('naics-2017/2211'))).toBe(false);
  });

  it('bridges NAICS 2022 codes to 2017 codes through identical index phrases', () => {
    const b = m.naics2022To2017;
    expect(Object.keys(b)).toHaveLength(967);
    // unchanged codes map to themselves first
    expect(b['111120']).toEqual(['111120']);
    expect(b['541511']).toEqual(['541511']);
    // renumbered in 2022 (checked against the Census 2022→2017 concordance)
    expect(b['455110']).toEqual(['452210']); // Department Stores
    expect(b['513210']).toEqual(['511210']); // Software Publishers
    expect(b['449210']).toEqual(['443142', '443141']); // Electronics and Appliance Retailers: 18 and 4 shared phrases
    expect(b['334610']).toEqual(['334614', '334613']); // 13 and 12
    // no phrase in common, or no EPA factor
    expect(b['445131']).toBeUndefined();
    expect(b['221114']).toBeUndefined();
  });
});

describe('spend match targets', () => {
  it('one per EPA code, titled without the price suffix', async () => {
    const targets = matchTargetsOf((await loadBundledFactorSet('epa-sc-v1.3.0')).result.factors);
    expect(targets).toHaveLength(1016);
    expect(targets[0]).toEqual({ key: 'naics-2017/111110', title: 'Soybean Farming', dimensions: ['currency'], regions: ['US'] });
    expect(targets.find((t) => t.key === 'naics-2017/331110')?.title).toBe('Iron and Steel Mills and Ferroalloy Manufacturing');
  });
});

describe('labelled items', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tally-labelled-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const HEADER = 'COMMODITY_DESCRIPTION,EXTENDED_DESCRIPTION,CONTRACT_NAME,naics_code_final,naics_title_final,co2e_per_dollar_final';
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('groups the shipped Austin set by description', async () => {
    const items = await loadLabelledItems(AUSTIN_DEV_FILE);
    expect(items).toHaveLength(929);
    expect(items.reduce((n, i) => n + i.rows, 0)).toBe(2391);
    const negatives = items.filter((i) => i.label === null);
    expect(negatives).toHaveLength(15);
    expect(negatives.reduce((n, i) => n + i.rows, 0)).toBe(30);
    expect(negatives.every((i) => i.labelFactor === null)).toBe(true);
    expect(items[0]).toMatchObject({ description: 'COUPLING SCH 40 PVC 3 SLIP', label: '326122', labelFactor: '0.434', rows: 1, contracts: ['MSC material for AWWBSC'], commodities: ['65933780021'] });
    const coupling = items.find((i) => i.description === 'COUPLING BRASS COMP GJ X COMP GJ 1-1/4 IN')!;
    expect(coupling).toMatchObject({ label: '332996', labelFactor: '0.365' });
    expect(coupling.contracts).toContain('Brass order for Glen Bell warehouse');
    expect(coupling.contracts).toContain('material needed at wbsc');
  });

  it('turns -1/-2/-3 into no label, keeps distinct texts, and counts rows', async () => {
    const path = await write(
      'ok.csv',
      `${HEADER}\nPVC PIPE,"ext, one",C1,326122,Plastics Pipe,0.434\n PVC PIPE ,ext two,C1,326122,Plastics Pipe,0.434\nPVC PIPE,"ext, one",C2,326122,Plastics Pipe,0.434\nGIFT,,C3,-2,,\nMISC,,,-1,,\nOTHER,,,-3,,\n`,
    );
    const items = await loadLabelledItems(path);
    expect(items).toEqual([
      { description: 'PVC PIPE', label: '326122', labelFactor: '0.434', labelTitle: 'Plastics Pipe', rows: 3, extended: ['ext, one', 'ext two'], contracts: ['C1', 'C2'], commodities: [] },
      { description: 'GIFT', label: null, labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: ['C3'], commodities: [] },
      { description: 'MISC', label: null, labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] },
      { description: 'OTHER', label: null, labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] },
    ]);
  });

  it('names the file, line and column of a missing column or a bad code', async () => {
    const noColumn = await write('no-column.csv', 'COMMODITY_DESCRIPTION,EXTENDED_DESCRIPTION,CONTRACT_NAME,naics_title_final,co2e_per_dollar_final\nA,,,,\n');
    await expect(loadLabelledItems(noColumn)).rejects.toThrow(`${noColumn}, line 1: missing column "naics_code_final"`);
    // the bad code is on line 5 (lines 3 and 4 are one record)
    const badCode = await write('bad-code.csv', `${HEADER}\nA,,,326122,T,0.4\nB,"two\nlines",,326122,T,0.4\nC,,,32612,T,0.4\n`);
    await expect(loadLabelledItems(badCode)).rejects.toThrow(`${badCode}, line 5, column naics_code_final: "32612" is neither a 6-digit NAICS code nor -1, -2, -3`);
    const badFactor = await write('bad-factor.csv', `${HEADER}\nA,,,326122,T,n/a\n`);
    await expect(loadLabelledItems(badFactor)).rejects.toThrow(`${badFactor}, line 2, column co2e_per_dollar_final: "n/a" is not a number`);
    const conflict = await write('conflict.csv', `${HEADER}\nA,,,326122,T,0.4\nA,,,-1,,\n`);
    await expect(loadLabelledItems(conflict)).rejects.toThrow(`${conflict}, line 3, column naics_code_final: "A" is labelled -1`);
  });

  it('lists what it cannot score, with file, line and column, and keeps the rest, when asked to', async () => {
    const path = await write('messy.csv', `${HEADER}\nA,,,326122,T,0.4\n,,,326122,T,0.4\nB,,,32612,T,0.4\nA,,,-1,,\nC,,,326122,T,n/a\nA,,,326122,T,0.4\nD,,,-2,,\n`);
    const problems: string[] = [];
    const items = await loadLabelledItems(path, { problems });
    expect(items.map((i) => [i.description, i.label, i.rows])).toEqual([
      ['A', '326122', 2],
      ['D', null, 1],
    ]);
    expect(problems).toEqual([
      `${path}, line 3, column COMMODITY_DESCRIPTION: empty description`,
      `${path}, line 4, column naics_code_final: "32612" is neither a 6-digit NAICS code nor -1, -2, -3 (no suitable code)`,
      `${path}, line 5, column naics_code_final: "A" is labelled -1 (no factor), but 326122 (0.4) at line 2`,
      `${path}, line 6, column co2e_per_dollar_final: "n/a" is not a number (label 326122)`,
    ]);
  });

  it('reads a code written as a number ("326122.0", "-1.0") as the code', async () => {
    const path = await write('floats.csv', 'COMMODITY_DESCRIPTION,naics_code_final\nPVC PIPE,326122.0\nGIFT,-2.0\nBAD,326122.5\n');
    const problems: string[] = [];
    expect((await loadLabelledItems(path, { problems })).map((i) => [i.description, i.label])).toEqual([['PVC PIPE', '326122'], ['GIFT', null]]);
    expect(problems).toEqual([`${path}, line 4, column naics_code_final: "326122.5" is neither a 6-digit NAICS code nor -1, -2, -3 (no suitable code)`]);
  });

  it('needs only the description and the code; a label without a factor has none', async () => {
    const path = await write('lean.csv', 'COMMODITY_DESCRIPTION,naics_code_final\nPVC PIPE,326122\nGIFT,-2\n');
    expect(await loadLabelledItems(path)).toEqual([
      { description: 'PVC PIPE', label: '326122', labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] },
      { description: 'GIFT', label: null, labelFactor: null, labelTitle: null, rows: 1, extended: [], contracts: [], commodities: [] },
    ]);
  });
});

describe('matching expense lines on the shipped lexicon', () => {
  // The shipped lexicon, read once, and an engine over bundled sets as a run builds one.
  let shipped: Promise<MatchingLexicon> | undefined;
  const engineOver = async (setIds: readonly string[]) => {
    const { lexicon, naics2022To2017, codePrior, examples, boundaries } = await (shipped ??= loadMatchingLexicon());
    const factors = (await Promise.all(setIds.map((id) => loadBundledFactorSet(id)))).flatMap((l) => l.result.factors);
    return createMatchEngine({ lexicon, targets: matchTargetsOf(factors), naics2022To2017, codePrior, examples, boundaries });
  };

  it('answers spend on electricity with no match, as EPA has no factor for it and it is Scope 2, and electricity by the kWh with the grid', async () => {
    const engine = await engineOver(['epa-sc-v1.3.0', 'epa-hub-2025-r2', 'owid-ember-grid-2025']);
    for (const line of ['Electricity bill', 'Power bill', 'Electricity charges Q1', 'Electric bill - Main St depot']) {
      const o = engine.match({ description: line, unit: 'USD', region: 'US' });
      expect(o, line).toMatchObject({ key: null, method: 'none', evidence: { withoutFactor: { key: 'naics-2017/221122' } } });
      expect(o.confidence, line).toBeGreaterThan(0.5);
    }
    expect(engine.match({ description: 'Electricity bill', unit: 'kWh', region: 'US' }).key).toBe('electricity/grid-average-location-based');
    // Goods that share its words, and the other utilities, keep their factors.
    expect(engine.match({ description: 'Solar panels', unit: 'USD' }).key).not.toBeNull();
    expect(engine.match({ description: 'Electrical supplies', unit: 'USD' }).key).not.toBeNull();
    expect(engine.match({ description: 'Gas bill', unit: 'USD' }).key).toBe('naics-2017/221210');
    expect(engine.match({ description: 'Water bill', unit: 'USD' }).key).toBe('naics-2017/221310');
  });

  it('reaches the right industry from a merchant name, and a fuel factor from a fuel-card line in litres', async () => {
    const engine = await engineOver(['desnz-2025', 'epa-sc-v1.3.0']);
    expect(engine.match({ description: 'Lufthansa FRA-JFK', unit: 'EUR' }).key).toBe('naics-2017/481111');
    expect(engine.match({ description: 'MARRIOTT BERLIN 2 NIGHTS', unit: 'EUR' }).key).toBe('naics-2017/721110');
    expect(engine.match({ description: 'Hertz car hire Heathrow', unit: 'GBP' }).key).toBe('naics-2017/532111');
    // Ledger names of overheads: services, which the goods prior would otherwise send to goods (postage meters, apparel).
    const accounts: [string, string][] = [
      ['Water bill', '221310'], ['Sewer charges', '221320'], ['Office rent', '531120'], ['Postage', '491110'], ['Team lunch', '722511'],
      ['Conference registration', '561920'], ['Bank fees', '522110'], ['Insurance premium', '524126'], ['Tolls', '488490'], ['Gym membership', '713940'],
      // Porter folds "marketing" into "market" (meat markets) and "training" into "train" (rail).
      // ... "shipping" into "ship", "trucking" into "truck", "dressing" into "dress".
      ['Marketing agency retainer', '541613'], ['Training course', '611430'], ['Train tickets', '482111'],
      ['Shipping charges', '488510'], ['Trucking services', '484110'], ['Wound dressings', '339113'],
      // A line that is one of the lexicon's names is what it names, a service too: not parking meters.
      ['Parking', '812930'],
      // Ledger names of services and supplies whose words the catalogues give other industries:
      // furniture rental, meat markets, shelters, forestry, farm elevators, stretching machines, metal pallets.
      ['Office lease', '531120'], ['Market research', '541910'], ['Temporary staff', '561320'], ['Pest control', '561710'],
      ['Elevator maintenance', '238290'], ['Website development', '541511'], ['Stretch film', '326112'], ['Pallets', '321920'],
      // A line that names a service leans to services: not window cleaning preparations.
      ['Window cleaning', '561720'],
      // Vendors whose names the catalogues give other things (adobe bricks, switch cutouts); a mouse is a computer peripheral.
      ['Adobe Acrobat Pro license', '511210'], ['Cisco Catalyst switch', '334210'], ['Logitech MX Master 3 Wireless Mouse', '334118'],
      // Devices by their best-known names ("iPhone 15 Pro" went to golf pro shops).
      ['iPhone 15 Pro', '334220'], ['iPad Air', '334111'], ['SSD 1TB', '334112'],
      ['Telecom', '517311'], ['Phone bill', '517311'],
    ];
    expect(accounts.map(([text]) => [text, engine.match({ description: text, unit: 'USD' }).key])).toEqual(accounts.map(([text, code]) => [text, `naics-2017/${code}`]));
    const fuel = engine.match({ description: 'DIESEL 45.2L', unit: 'litre' });
    expect(fuel.key).toMatch(/^fuels\/liquid-fuels\/diesel/);
    expect(fuel.method).toBe('text');
  });


  it.each(ACTIVITY_LINE_SETS)('matches fuel-card, utility, refrigerant, travel, freight and waste names to the factors of %s', async (_name, sets, column) => {
    const engine = await engineOver(sets);
    const got = ACTIVITY_LINES.map((line) => [line[0], engine.match({ description: line[0], unit: line[1] }).key]);
    expect(got).toEqual(ACTIVITY_LINES.map((line) => [line[0], line[column]]));
    expect(got.some(([, key]) => key?.startsWith('mobile-combustion-ch4-n2o/'))).toBe(false);
  });

  it('accepts a text that is one of its names, word for word, that no other key is named by, without review; other wordings keep the model', async () => {
    const desnz = await engineOver(['desnz-2025']);
    const hub = await engineOver(['epa-hub-2025-r2', 'owid-ember-grid-2025']);
    const named: [MatchEngine, string, string][] = [
      [desnz, 'Diesel', 'litre'], [desnz, 'Petrol', 'litre'], [desnz, 'Kerosene', 'litre'], [desnz, 'Natural gas', 'kWh'], [desnz, 'Coal', 'tonne'], [desnz, 'Electricity', 'kWh'],
      [desnz, 'Medium car', 'km'], [desnz, 'District heating', 'kWh'], [desnz, 'R-404A', 'kg'], [desnz, 'HFC-134a', 'kg'], [desnz, 'SF6', 'kg'],
      [hub, 'Gasoline', 'us_gal'], [hub, 'Kerosene', 'us_gal'], [hub, 'Coal', 'short_ton'], [hub, 'Natural gas', 'therm'], [hub, 'Electricity', 'kWh'],
      [hub, 'R-410A', 'lb'], [hub, 'HFC-134a', 'kg'], [hub, 'Sulfur hexafluoride', 'kg'],
    ];
    for (const [engine, description, unit] of named) {
      const o = engine.match({ description, unit });
      expect(o.confidence, description).toBeGreaterThanOrEqual(engine.autoAcceptThreshold);
      expect(o.key, description).not.toMatch(/total-emissions|non-kyoto/);
      // the alternatives still sum to at most 1 with it
      expect(o.alternatives.reduce((s, a) => s + a.confidence, 0), description).toBeLessThanOrEqual(1.0001);
    }
    // A name among words no fuel's phrase has is the name ("Truck #5 diesel"); among words that name
    // another fuel it is the model's to judge ("Gas oil diesel"); a name of two keys alike ("Water":
    // supply or treatment) is held.
    expect(desnz.match({ description: 'Truck #5 diesel', unit: 'litre' })).toMatchObject({ key: 'fuels/liquid-fuels/diesel-average-biofuel-blend', confidence: 0.9 });
    expect(desnz.match({ description: 'Gas oil diesel', unit: 'litre' }).confidence).toBeLessThan(desnz.autoAcceptThreshold);
    expect(desnz.match({ description: 'Water', unit: 'm3' }).confidence).toBeLessThan(desnz.autoAcceptThreshold);
  });

  it('answers AdBlue, fuel additives and coolant by the litre with no match and a note, not with the fuel they name', async () => {
    const engine = await engineOver(['desnz-2025']);
    for (const line of ['Diesel exhaust fluid', 'AdBlue 10L', 'Diesel additive', 'Coolant']) {
      const o = engine.match({ description: line, unit: 'litre' });
      expect(o, line).toMatchObject({ key: null, method: 'none', evidence: { withoutFactor: { key: 'not-a-fuel/vehicle-fluids-and-additives' } } });
      expect(o.evidence.note, line).toMatch(/not burnt as fuel/);
    }
    expect(engine.match({ description: 'Diesel', unit: 'litre' }).key).toBe('fuels/liquid-fuels/diesel-average-biofuel-blend');
  });

  it('names the keys of older DESNZ editions too, where a key changed its name', async () => {
    const engine = await engineOver(['desnz-2024']);
    expect(engine.match({ description: 'Incineration', unit: 'tonne' }).key).toBe('waste-disposal/refuse/commercial-and-industrial-waste/combustion');
    expect(engine.match({ description: 'Diesel', unit: 'litre' }).key).toBe('fuels/liquid-fuels/diesel-average-biofuel-blend');
  });

  it("takes the key with a factor for the row's region when a run's sets name a thing alike", async () => {
    const engine = await engineOver(['desnz-2025', 'epa-hub-2025-r2', 'owid-ember-grid-2025', 'epa-sc-v1.3.0']);
    const key = (description: string, unit: string, region: string) => engine.match({ description, unit, region }).key;
    // Spend factors are all US: a spend line's region changes nothing, so its text is matched once for every country.
    expect(['US', 'DE', 'GB'].map((r) => engine.regionClass!(r, 'EUR'))).toEqual(['', '', '']);
    expect(engine.regionClass!('GB', 'litre')).not.toBe(engine.regionClass!('US', 'litre'));
    expect(key('Diesel', 'litre', 'GB')).toBe('fuels/liquid-fuels/diesel-average-biofuel-blend');
    expect(key('Diesel', 'us_gal', 'US-TX')).toBe('mobile-combustion-co2/diesel-fuel');
    expect(key('Electricity', 'kWh', 'US-EGRID-CAMX')).toBe('electricity/grid-average-location-based');
    expect(key('Electricity', 'kWh', 'DE')).toBe('electricity/grid-average-location-based');
    expect(key('Natural gas', 'kWh', 'GB')).toBe('fuels/gaseous-fuels/natural-gas');
    expect(key('Natural gas', 'kWh', 'US')).toBe('stationary-combustion/natural-gas/natural-gas');
    // A name both sets have is taken without review where only one of them has a factor for the
    // row's region; where neither has, the two stay rivals and the row is reviewed.
    for (const [text, unit, region, expected] of [['R-410A', 'kg', 'US', 'refrigerant-blends/r-410a'], ['R-410A', 'kg', 'GB', 'refrigerant-and-other/blends/r410a/emissions-including-only-kyoto-products'], ['Diesel', 'litre', 'US', 'mobile-combustion-co2/diesel-fuel'], ['Electricity', 'kWh', 'US', 'electricity/grid-average-location-based']] as const) {
      const o = engine.match({ description: text, unit, region });
      expect([text, region, o.key, o.confidence >= engine.autoAcceptThreshold]).toEqual([text, region, expected, true]);
    }
    expect(engine.match({ description: 'Diesel', unit: 'litre', region: 'DE' }).confidence).toBeLessThan(engine.autoAcceptThreshold);
  });
});
