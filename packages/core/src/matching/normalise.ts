import { stemmer } from 'stemmer';

/**
 * Text normalisation shared by the lexicon and the queries, so both meet on the same terms:
 * lower case, procurement abbreviations spelt out, British spellings made American (the NAICS
 * index is American), sizes, part numbers and units of measure dropped, Porter stems (except for a
 * few product nouns Porter folds into other words).
 */

// Abbreviations common in purchasing, catalogue and fuel-card text (general usage, not any one
// data set): each expands to the words the NAICS index and factor names use.
const ABBREVIATIONS: Record<string, string> = {
  w: 'with', wo: 'without', 'w/': 'with', 'w/o': 'without',
  stl: 'steel', ss: 'stainless steel', sst: 'stainless steel', galv: 'galvanized', ci: 'cast iron', di: 'ductile iron',
  alum: 'aluminum', al: 'aluminum', cu: 'copper', brs: 'brass', bz: 'bronze', poly: 'polyethylene plastic',
  pvc: 'pvc plastic', cpvc: 'cpvc plastic', hdpe: 'polyethylene plastic', ldpe: 'polyethylene plastic', pe: 'polyethylene plastic', pp: 'polypropylene plastic', abs: 'abs plastic',
  mip: 'male iron pipe', fip: 'female iron pipe', mpt: 'male pipe thread', fpt: 'female pipe thread', npt: 'pipe thread', ips: 'iron pipe', sch: 'schedule',
  cplg: 'coupling', elb: 'elbow', ell: 'elbow', vlv: 'valve', assy: 'assembly', asm: 'assembly', brkt: 'bracket', hdwr: 'hardware', hdw: 'hardware',
  hyd: 'hydraulic', pneu: 'pneumatic', elec: 'electric', elect: 'electric', batt: 'battery', ext: 'extension', lt: 'light', ltg: 'lighting',
  hd: 'heavy duty', ind: 'industrial', indust: 'industrial', misc: 'miscellaneous', eqpt: 'equipment', equip: 'equipment', eqp: 'equipment',
  svc: 'service', svcs: 'services', maint: 'maintenance', repl: 'replacement', mfg: 'manufacturing', mtr: 'motor', mach: 'machine',
  cpu: 'computer', lcd: 'display monitor', led: 'led light', ups: 'uninterruptible power supply',
  // devices by their best-known names
  iphone: 'smartphone', ipad: 'tablet computer', macbook: 'laptop computer', chromebook: 'laptop computer', ssd: 'computer storage drive',
  tv: 'television', av: 'audio video', hvac: 'heating ventilation air conditioning', ac: 'air conditioning', 'a/c': 'air conditioning',
  ppe: 'protective equipment', hi: 'high', vis: 'visibility', refrig: 'refrigeration', lab: 'laboratory', chem: 'chemical',
  lubr: 'lubricant', lube: 'lubricant', dsl: 'diesel', ulsd: 'diesel', petrol: 'gasoline', unl: 'unleaded gasoline', unld: 'unleaded gasoline',
  lpg: 'liquefied petroleum gas propane', cng: 'compressed natural gas', lng: 'liquefied natural gas', kero: 'kerosene', furn: 'furniture', tel: 'telephone',
  ads: 'advertising', advert: 'advertising', adverts: 'advertising', advt: 'advertising', mktg: 'marketing',
  cert: 'certificate', sched: 'schedule', dbl: 'double', rbr: 'rubber', hydr: 'hydrant', trng: 'training', consult: 'consulting', rpr: 'repair', inst: 'installation', instl: 'installation',
  adj: 'adjustable', wk: 'work', jt: 'joint', mech: 'mechanical', disp: 'disposable', fnpt: 'female pipe thread', mnpt: 'male pipe thread',
  ctrl: 'control', xfmr: 'transformer', rcpt: 'receptacle', recept: 'receptacle', conn: 'connector', fltr: 'filter', gskt: 'gasket',
  brg: 'bearing', thrd: 'thread', flg: 'flange', ftg: 'fitting', ftgs: 'fittings', cpl: 'coupling', bshg: 'bushing', pwr: 'power', tbg: 'tubing',
  brkr: 'breaker', ckt: 'circuit', fixt: 'fixture', btry: 'battery', lmp: 'lamp', blb: 'bulb', flshlt: 'flashlight', cbl: 'cable', pnl: 'panel',
  pmp: 'pump', rdcr: 'reducer', strnr: 'strainer', hsg: 'housing', cvr: 'cover', wtr: 'water', insul: 'insulation', adh: 'adhesive',
  clnr: 'cleaner', degr: 'degreaser', glv: 'glove', glvs: 'gloves', nitr: 'nitrile', veh: 'vehicle', trk: 'truck', btl: 'bottle',
  // office purchasing
  envlp: 'envelope', crtg: 'cartridge', tnr: 'toner', lbl: 'label', lbls: 'labels', fldr: 'folder', bndr: 'binder', pncl: 'pencil',
  // medical and first-aid purchasing
  // (not IV, a numeral as often as intravenous; not BP, an oil company as often as blood pressure; not TAB)
  ekg: 'electrocardiograph', ecg: 'electrocardiograph', aed: 'automated external defibrillator', bvm: 'bag valve mask resuscitator',
  nibp: 'blood pressure monitor', spo2: 'pulse oximeter', usp: 'pharmaceutical', o2: 'oxygen', co2: 'carbon dioxide', cpr: 'cardiopulmonary resuscitation', inj: 'injection',
  syr: 'syringe', cath: 'catheter', ett: 'endotracheal tube', ng: 'nasogastric', soln: 'solution',
  blk: 'black', wht: 'white', yel: 'yellow', grn: 'green', fluor: 'fluorescent', incand: 'incandescent', reflec: 'reflective', refl: 'reflective',
  // greenhouse gases by formula, as leak and process logs name them (CO2 is above)
  ch4: 'methane', n2o: 'nitrous oxide', sf6: 'sulfur hexafluoride', nf3: 'nitrogen trifluoride',
};

// Other spellings of a word, and other words for a thing, as the NAICS index writes them: British
// spellings, and a buyer's "coupler" for the index's coupling.
const SPELLING: Record<string, string> = {
  aluminium: 'aluminum', colour: 'color', colours: 'colors', tyre: 'tire', tyres: 'tires', litre: 'liter', litres: 'liters',
  metre: 'meter', metres: 'meters', fibre: 'fiber', centre: 'center', grey: 'gray', sulphur: 'sulfur', sulphate: 'sulfate',
  organisation: 'organization', catalogue: 'catalog', programme: 'program', cheque: 'check', jewellery: 'jewelry', storey: 'story',
  moulded: 'molded', moulding: 'molding', mould: 'mold', plough: 'plow', draught: 'draft', analyser: 'analyzer', licence: 'license',
  adaptor: 'adapter', defence: 'defense', paediatric: 'pediatric', haemo: 'hemo', anaesthesia: 'anesthesia', oesophageal: 'esophageal', stationery: 'stationery',
  adaptors: 'adapters', coupler: 'coupling', couplers: 'couplings',
};

// Words that carry no meaning for what was bought: grammar, units of measure, packaging, order boilerplate.
const STOP = new Set(
  (
    'a an and or the of for to in on at by from with without as per all any other others not otherwise classified nos nec etc ' +
    'type types style size sizes kind assorted various misc miscellaneous item items each ea pair pr set sets pack pk pkg package case cs box bx ctn carton roll rl ' +
    'lot unit units pc pcs piece pieces qty quantity no number num ref accessory accessories ' +
    'inch inches in ft feet yd mm cm m lb lbs pound pounds oz ounce ounces gal gallon gallons qt quart quarts pt pint liter liters ml kg g ' +
    'deg degree degrees dia diameter od id length long wide width height thick thickness x xl xxl xxxl xs lg lrg large xlarge xxlarge xsmall med medium sm small mini sz ' +
    'equal equivalent approved brand model mfr manufacturer contract price agreement per annum year annual order purchase delivery deliver del date ' +
    'new used include including includes incl only use usage shall be will may must'
  ).split(' '),
);

/**
 * Broader words a specific one implies (a brass coupling is a metal fitting; PVC is a plastic;
 * a hammer is a handtool): material and product families in the words the NAICS index uses.
 * Added to a query at a lower weight; looked up by stem, so plurals find them too.
 */
export const BROADER: Record<string, readonly string[]> = {
  brass: ['metal'], bronze: ['metal'], copper: ['metal'], steel: ['metal'], iron: ['metal'], aluminum: ['metal'], zinc: ['metal'],
  stainless: ['metal'], galvanized: ['metal', 'steel'], nickel: ['metal'], titanium: ['metal'], tin: ['metal'], lead: ['metal'],
  pvc: ['plastic'], cpvc: ['plastic'], polyethylene: ['plastic'], polypropylene: ['plastic'], polystyrene: ['plastic'], vinyl: ['plastic'],
  acrylic: ['plastic'], polycarbonate: ['plastic'], nylon: ['plastic', 'fiber'], polyester: ['fiber', 'textile'], cotton: ['textile', 'fabric'],
  wool: ['textile'], leather: ['leather'], oak: ['wood'], pine: ['wood'], plywood: ['wood'], lumber: ['wood'],
  // product families, in the words the NAICS index uses for them
  coupling: ['fitting'], nipple: ['pipe', 'fitting'], elbow: ['pipe', 'fitting'], tee: ['pipe', 'fitting'], bend: ['pipe', 'fitting'],
  adapter: ['fitting'], reducer: ['pipe', 'fitting'], bushing: ['fitting'], union: ['fitting'], flange: ['pipe', 'fitting'],
  hammer: ['handtool'], screwdriver: ['handtool'], wrench: ['handtool'], pliers: ['handtool'], shovel: ['handtool'], rake: ['handtool'], spade: ['handtool'],
  chisel: ['handtool'], crowbar: ['handtool'], axe: ['handtool'], trowel: ['handtool'],
  shirt: ['apparel', 'clothing'], pants: ['apparel', 'trousers'], trousers: ['apparel'], jacket: ['apparel', 'clothing'],
  coverall: ['apparel', 'clothing'], uniform: ['apparel', 'clothing'], raincoat: ['apparel', 'clothing'],
  vest: ['apparel', 'clothing'], boot: ['footwear'], shoe: ['footwear'],
  laptop: ['computer'], desktop: ['computer'], server: ['computer'], printer: ['computer', 'peripheral'],
  monitor: ['computer', 'peripheral'], keyboard: ['computer', 'peripheral'], mouse: ['computer', 'peripheral'], toner: ['toner', 'cartridge'], router: ['communications', 'equipment'],
  cable: ['wire'], cord: ['wire'], bolt: ['fastener'], nut: ['fastener'], screw: ['fastener'], washer: ['fastener'], rivet: ['fastener'],
  paint: ['paint', 'coating'], primer: ['paint', 'coating'], cleaner: ['cleaning', 'preparation'], detergent: ['cleaning', 'preparation'], soap: ['soap'],
};

/**
 * On a garment, SS and LS are sleeves, not stainless steel: "SHIRTS, TEE, DRI-FIT, SS" went to steel
 * mills. Read so only when the text names a garment.
 */
const GARMENT = /\b(?:shirts?|tees?|t-shirts?|polos?|blouses?|coveralls?|jackets?|sweatshirts?|jerseys?|uniforms?)\b/;
const GARMENT_ABBREVIATION = new Map(Object.entries({ ss: ['short', 'sleeve'], 's/s': ['short', 'sleeve'], ls: ['long', 'sleeve'], 'l/s': ['long', 'sleeve'] }));

const ABBREVIATION = new Map(Object.entries(ABBREVIATIONS).map(([w, e]) => [w, e.split(' ').filter((x) => x !== '' && !STOP.has(x))]));
const SPELLING_OF = new Map(Object.entries(SPELLING));

const isAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isLetter = (c: number) => c >= 97 && c <= 122;

/**
 * The form under which two spellings of a text are one ("PIPE", "Pipe ", "pipe"): lower case,
 * runs of whitespace as one space, trimmed. Exact rules, the categories rules are scoped to, review
 * groups (their SQL does the same) and category profiles all compare texts so.
 */
export function textKey(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Words of a text, expanded and cleaned, before stemming (exported for evidence and tests). Tokens
 * are runs of letters and digits, with "/letters" kept on ("w/", "w/o", "a/c") when that spells an
 * abbreviation; a hand-written scanner, as this runs for every row matched.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  const lower = rewritten(text.toLowerCase());
  const n = lower.length;
  const garment = GARMENT.test(lower);
  let i = 0;
  let afterNumber = false;
  while (i < n) {
    if (!isAlnum(lower.charCodeAt(i))) {
      // a list or clause break ("4IN; METERS") ends what a number measures
      if (BREAK.has(lower.charCodeAt(i))) afterNumber = false;
      i++;
      continue;
    }
    const start = i;
    while (i < n && isAlnum(lower.charCodeAt(i))) i++;
    let end = i;
    // "w/", "w/o", "a/c": a slash and letters after a word, when the whole spells an abbreviation.
    if (i < n && lower.charCodeAt(i) === 47) {
      let j = i + 1;
      while (j < n && isLetter(lower.charCodeAt(j))) j++;
      if (ABBREVIATION.has(lower.slice(start, j)) || (garment && GARMENT_ABBREVIATION.has(lower.slice(start, j)))) end = i = j;
    }
    const raw = lower.slice(start, end);
    const numeric = /\d/.test(raw);
    if (!(afterNumber && MEASURE_OR_THING.has(raw))) pushWord(raw, out, garment);
    afterNumber = numeric;
  }
  return out;
}

/**
 * Words that are a unit of measure after a number ("CABLE 2 METER", "HOSE 50 FOOT") and a thing
 * otherwise ("METER, COLD WATER", "VALVE, FOOT", "HYDRANT, YARD"): dropped only after a number. As
 * stop words they took "Meters, water" out of the Census index too.
 */
const MEASURE_OR_THING = new Set(['meter', 'meters', 'foot', 'yard', 'yards']);
/** , ; : ( ) */
const BREAK = new Set([44, 59, 58, 40, 41]);

/**
 * A refrigerant's ASHRAE designation however it is written ("R-410A", "R410A", "HFC-134a",
 * "HCFC 22", "HFO-1234yf"), as one word: "r410a", "r134a", "r22", "r1234yf". The number names the
 * gas (HFC-134a is R-134a), so the chemical prefix goes; without this the digits were dropped as a
 * size and every refrigerant read as the same "refrigerant". A number followed by a unit of mass
 * is a quantity, not a gas: "HFC 12 kg top-up" is 12 kg of an HFC, not CFC-12.
 */
const DESIGNATION_WRITTEN = /\b(?:r-?|(?:hfc|hcfc|cfc|pfc|hfo)[-\s]?)(\d{2,4}[a-z]{0,2})\b(?!\s*(?:kgs?|lbs?|g|oz|t|tonnes?|tons?)\b)/g;
const DESIGNATION = /^r\d{2,4}[a-z]{0,2}$/;
/** "Well-to-tank" as the factor names abbreviate it ("WTT- fuels"), so the words meet. */
const WELL_TO_TANK = /\bwell[\s-]+to[\s-]+tank\b/g;
/**
 * A fuel oil's grade ("Fuel oil No. 2", "#6 fuel oil", "residual #6"), as one word beside the oil:
 * "grade2". Distillate No. 2 and residual No. 6 differ by a tenth in CO2 per gallon; without this
 * both read as "fuel oil". Only next to the oil: "Truck #5 diesel" names a truck, not a grade.
 */
const OIL = String.raw`(?:fuel|heating)\s+oil|distillate|residual`;
const GRADE_AFTER = new RegExp(String.raw`\b(${OIL})\s*(?:no\.\s*|no\s+|#\s*)([1-6])\b`, 'g');
const GRADE_BEFORE = new RegExp(String.raw`(?:\bno\.\s*|\bno\s+|#\s*)([1-6])\s+(${OIL})\b`, 'g');
const GRADE = /^grade[1-6]$/;
/**
 * A car's size class ("Small car", "large petrol cars") as a word of its own, "smallcar", beside "car".
 * Sizes are stop words (a garment's "LARGE" says nothing of what it is), but a car's size class has
 * a factor of its own: a large car emits about twice what a small one does per km.
 */
const VEHICLE_SIZE = /\b(small|medium|large)\s+(?:(diesel|petrol|gasoline|hybrid|electric|lpg|cng)\s+)?(cars?)\b/g;

/**
 * The text with its multi-word forms rewritten (well-to-tank, designations, oil grades, car sizes);
 * each pattern is tried only when a word it needs is there, as most lines hold none of them and
 * this runs for every row matched.
 */
function rewritten(lower: string): string {
  let t = lower;
  if (t.includes('tank')) t = t.replace(WELL_TO_TANK, 'wtt');
  if (/[0-9]/.test(t)) t = t.replace(DESIGNATION_WRITTEN, 'r$1');
  if (t.includes('oil') || t.includes('distillate') || t.includes('residual')) t = t.replace(GRADE_AFTER, '$1 grade$2').replace(GRADE_BEFORE, 'grade$1 $2');
  if (t.includes('car')) t = t.replace(VEHICLE_SIZE, '$1$3 $2 $3');
  return t;
}

function pushWord(raw: string, out: string[], garment: boolean): void {
  // An abbreviation may hold a digit ("o2", "spo2"); otherwise sizes, part numbers and quantities
  // ("1-1/4", "98980", "4x8", "16oz") say nothing of the kind of thing.
  const expanded = (garment ? GARMENT_ABBREVIATION.get(raw) : undefined) ?? ABBREVIATION.get(raw);
  if (expanded !== undefined) {
    for (const e of expanded) out.push(e);
    return;
  }
  if (/\d/.test(raw)) {
    if (DESIGNATION.test(raw) || GRADE.test(raw)) out.push(raw);
    return;
  }
  const w = SPELLING_OF.get(raw) ?? raw;
  if (w.length < 2 || STOP.has(w)) return;
  out.push(w);
}

const stems = new Map<string, string>();

/**
 * Plural stripping (Harman's S-stemmer): "couplings" → "coupling", "batteries" → "battery". Unlike
 * Porter's stemmer it keeps a word's kind ("bushing" is not "bush", "glasses" is not "glass",
 * "coatings" are not "coats"), which is what tells sibling products apart.
 */
function sStem(w: string): string {
  const n = w.length;
  if (n <= 3 || w.charCodeAt(n - 1) !== 115 /* s */) return w;
  if (w.endsWith('ies') && !w.endsWith('eies') && !w.endsWith('aies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('es') && !w.endsWith('aes') && !w.endsWith('ees') && !w.endsWith('oes')) return w.slice(0, -1);
  if (w.endsWith('us') || w.endsWith('ss')) return w;
  return w.slice(0, -1);
}

// Product nouns Porter's stemmer folds into another word ("bushing" → "bush", "coating" → "coat",
// "glasses" → "glass", "casing" → "case"), and words it folds into one of another meaning
// ("generator" and "generation" → "general", "engineering" → "engine", "organic" → "organization",
// "universal" → "university", "mechanic" → "mechanical", "fabricated" metal → "fabric",
// "securities" → "security", "international" → "internal", "publication" → "public", "community"
// → "communication", "stockings" → "stock", "boarding", "booking", "rooming" and "boxing" → "board",
// "book", "room" and "box", "marketing" → "market", "training" → "train", "adding" → "ad"): these
// only lose their plural.
const KEEP_FORM = new Set(
  (
    'bushing bearing casing coating fitting glasses housing tubing siding clothing ceiling bedding padding packing sealing lining railing decking flooring roofing ' +
    'generator generation engineering engineer organic universal mechanic fabricated fabricating fabrication securities international publication community ' +
    'stocking boarding booking rooming boxing marketing training adding parking shipping wellness dressing hospitality generating trucking'
  ).split(' '),
);
/** The stem of one word, as the index and the queries use it. */
export function stem(w: string): string {
  if (KEEP_FORM.has(w)) return w;
  const s = sStem(w);
  return KEEP_FORM.has(s) ? s : stemmer(w);
}

/** The term of one word of words() (its stem()), remembered: the same words come again and again. */
export function termOf(w: string): string {
  let s = stems.get(w);
  if (s === undefined) {
    s = stem(w);
    if (stems.size < 200_000) stems.set(w, s);
  }
  return s;
}

/** Stems (stem()) of the words of a text, in order, duplicates kept. */
export function terms(text: string): string[] {
  return words(text).map(termOf);
}
