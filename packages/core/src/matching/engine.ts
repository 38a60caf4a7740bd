import { findUnit } from '../units/convertUnit.ts';
import { cataloguePhrase, namesApparelContractor, withoutAsides, withoutExclusions } from './cataloguePhrase.ts';
import { Compounds } from './compounds.ts';
import { confidenceOf } from './confidence.ts';
import { BROADER, stem, termOf, terms, words } from './normalise.ts';
import { KeyDocuments, PhraseIndex, sortHits, type PhraseHit, type QueryTerm } from './phraseIndex.ts';
import { RuleBook } from './mappingRules.ts';
import { EXAMPLE_SOURCE, EXAMPLE_WEIGHT, examplesOfRules } from './examples.ts';
import { categoryProfileKey, lendsWords, type CategoryProfile } from './categoryProfile.ts';
import { codePriorWeights, withConfirmedKeys, type CodePrior } from './codePrior.ts';
import { RegionPreference, type RegionWeights } from './regionPreference.ts';
import { isWellToTankKey, namesWellToTank } from './targets.ts';
import { namesService } from './serviceWords.ts';
import type { LexiconEntry, MappingRule, MatchAlternative, MatchBoundary, MatchOutcome, MatchQuery, MatchTarget } from './types.ts';

export interface MatchEngineInput {
  lexicon: readonly LexiconEntry[];
  targets: readonly MatchTarget[];
  rules?: readonly MappingRule[] | undefined;
  /** NAICS 2022 code -> 2017 codes, best first. */
  naics2022To2017?: Readonly<Record<string, readonly string[]>> | undefined;
  /** How often labelled purchase lines land on each key (codePrior.ts), the rules' keys counted in (withConfirmedKeys). */
  codePrior?: CodePrior | undefined;
  /**
   * Labelled purchase lines: texts an expert or a reviewer gave a key ("COUPLING BRASS 1 IN" →
   * naics-2017/332996). Each is a phrase of its key, so a line worded like one finds its key by
   * the words buyers write, which the catalogues do not hold (examples.ts). The organisation's
   * confirmed description rules are added as such lines too.
   */
  examples?: readonly LexiconEntry[] | undefined;
  /** Things the library holds no factor for on purpose, and their phrases (MatchBoundary). */
  boundaries?: { targets: readonly MatchBoundary[]; lexicon: readonly LexiconEntry[] } | undefined;
}

export interface MatchEngine {
  match(q: MatchQuery): MatchOutcome;
  /** Confidence at or above which a match is accepted without review. */
  readonly autoAcceptThreshold: number;
  /**
   * A name for what a row's region changes in the engine's answers for rows in `unit`
   * (regionPreference.ts, and the rules scoped to a region that hold there): rows whose regions have
   * one name get the same answer for the same text; '' when the region changes nothing.
   */
  regionClass?(region: string | undefined, unit: string): string;
}

/**
 * Lexicon sources and how much a phrase of each counts (titles are written to name the code).
 * CaML's phrases are mostly the Census index again under NAICS 2007 codes bridged to 2017: as extra
 * documents they blur codes more than they help (top-1 on the Austin development set 0.42 without,
 * 0.41 with them at any weight tried), so they count for nothing by default.
 */
const SOURCE_WEIGHT: Record<string, number> = { 'naics-2017-title': 1.2, 'census-naics-2017-index': 1, 'census-naics-2022-index': 1, 'naics-2017-description': 1, caml: 0, 'factor-name': 1.2 };

/** Sources written for coders (exclusions, production routes): matched on their product words only (cataloguePhrase.ts). */
const CATALOGUE_SOURCES = new Set(['census-naics-2017-index', 'census-naics-2022-index', 'naics-2017-description']);

/**
 * Census entries of the apparel contractors (315210, who sew others' fabric for a fee) repeat the
 * manufacturers' entries word for word once their route is dropped ("Trousers, men's and boys',
 * cut and sew apparel contractors"): a line that buys trousers buys them from a manufacturer, so
 * these count less and a tie goes to the maker (development set: top-1 +1.1 points; the same from
 * 0.3 to 0.7, +0.8 at 0.9).
 */
const CONTRACTOR_WEIGHT = 0.7;
/**
 * The confidence at or above which a match is taken without review: an organisation's default
 * (organisations.match_threshold) and the benchmark's. At 0.85, 96.6% of the development set's
 * answers taken are right cross-fitted on the hash halves (6.4% of the items) and 97.1% on 10
 * folds (7.3%); at 0.8, 92.6% (13.0%) and 90.9% (15.4%), below the 95% an unreviewed answer owes an
 * audit. Tally's own names ("Diesel", "Office rent") are taken at 0.9 (NAMED_CONFIDENCE).
 */
export const AUTO_ACCEPT_THRESHOLD = 0.85;
/**
 * Tally's own names of things (tally-lexicon: fuels, utilities, travel modes, refrigerants, ledger
 * names), each written to name its key. A text that is one of them, word for word, where no other
 * candidate key has a phrase the text is word for word (or only one without a factor where the
 * row took place, when the top has one), is what the name was written for: it is
 * taken at NAMED_CONFIDENCE at least. The confidence model was fitted on purchase lines, which
 * rarely are a name, and it held "Diesel", "Kerosene", "Coal" or "Medium car" (right: the next key
 * is a grade or size of the family whose longer name holds the word) for review.
 */
const NAME_SOURCES = new Set(['tally-activity-lexicon', 'tally-expense-lexicon']);
const NAMED_CONFIDENCE = 0.9;
/** A line that names no service buys a good: services' keys weigh this much (goodsPrior). */
const SERVICE_PRIOR = 0.6;
/**
 * A line that names a service ("Generator rental", "Plumbing repairs", "Window cleaning") buys the
 * service: goods industries' keys weigh this much, where the thing serviced had drawn the line to
 * its makers (generators, faucets, window cleaning preparations). Milder than SERVICE_PRIOR, as
 * purchase lines name parts for a service too ("REPAIR CLAMP", "SEWER CLEANOUT COVER").
 * Development set: top-1 the same at 0.85 (one item lost at 0.8, eight at 0.6), top-5 one item less.
 */
const GOODS_PRIOR = 0.85;
/**
 * A factor set's own choice for a row that leaves a dimension open (DESNZ's "Average laden" HGV,
 * "Unknown" fuel car, "Average" motorbike) weighs this much more than its siblings: "HGV diesel"
 * in km went to the empty lorry ("0% Laden"), whose name is a word shorter.
 */
const DEFAULT_LEAN = 1.05;
/** A key whose last level is its set's default, and those words in the last level of its title. */
const SET_DEFAULT = /\/(?:average|average-laden|unknown)$/;
const DEFAULT_WORDS = /\b(?:average|unknown)\b(?!.*>)/gi;
/** When the best phrase covers less than this share of the query's weight, the answer is "no match". */
const NO_MATCH_COVERAGE = 0.1;
/** A word of letters joined by hyphens ("pick-up", "self-propelled"), which a buyer may write closed. */
const HYPHENATED = /\b[a-z]+(?:-[a-z]+)+\b/g;

const NAICS_IN_TEXT = /\bnaics(?:[\s-]*(2017|2022))?[\s:#-]*(\d{6})\b/i;

/**
 * The matching cascade: (1) the organisation's confirmed rules, (2) codes in the row (NAICS 2017,
 * NAICS 2022 through the bridge, a factor key), (3) text retrieval over the lexicon, where (4) only
 * unit-compatible targets are admitted (spend matches per-currency factors only; litres only
 * factors in units litres convert to). Pure and deterministic.
 */
export function createMatchEngine(input: MatchEngineInput): MatchEngine {
  const targets: MatchTarget[] = [...input.targets];
  const byKey = new Map(targets.map((t, i) => [t.key, i]));
  // A boundary is a key like any other to the search; a key the run's sets do have a factor for is no boundary.
  const boundaryOf: (MatchBoundary | undefined)[] = targets.map(() => undefined);
  for (const b of input.boundaries?.targets ?? []) {
    if (byKey.has(b.key)) continue;
    byKey.set(b.key, targets.length);
    targets.push({ key: b.key, title: b.title, dimensions: b.dimensions });
    boundaryOf.push(b);
  }
  const defaults = targets.map((t) => (SET_DEFAULT.test(t.key) ? DEFAULT_LEAN : 1));
  const phrases: { key: number; text: string; weight: number; source: string }[] = [];
  for (const e of [...input.lexicon, ...(input.boundaries?.lexicon ?? [])]) {
    const k = byKey.get(e.key);
    let weight = SOURCE_WEIGHT[e.source] ?? 1;
    if (k === undefined || weight <= 0) continue;
    if (CATALOGUE_SOURCES.has(e.source) && namesApparelContractor(e.phrase)) weight *= CONTRACTOR_WEIGHT;
    // Titles too name what their code leaves out: "Office Supplies (except Paper) Manufacturing".
    const text = CATALOGUE_SOURCES.has(e.source) ? cataloguePhrase(e.phrase) : withoutExclusions(e.phrase);
    if (text !== '') phrases.push({ key: k, text, weight, source: e.source });
  }
  // A factor set's default leaf ("Average laden", "Unknown" fuel) names no property of the thing,
  // only that the row left it open: its title matches as its siblings' do, and DEFAULT_LEAN chooses it.
  for (const [i, t] of targets.entries()) phrases.push({ key: i, text: withoutExclusions(defaults[i] === 1 ? t.title : t.title.replace(DEFAULT_WORDS, ' ')), weight: SOURCE_WEIGHT['naics-2017-title']!, source: 'title' });
  for (const e of [...(input.examples ?? []), ...examplesOfRules(input.rules ?? [])]) {
    const k = byKey.get(e.key);
    const text = withoutAsides(e.phrase).trim();
    if (k !== undefined && text !== '') phrases.push({ key: k, text, weight: EXAMPLE_WEIGHT, source: EXAMPLE_SOURCE });
  }
  const index = new PhraseIndex(phrases, targets.length);
  /** Tally's names (NAME_SOURCES) as term sets: a text that is one names what the name names, a good or a service. */
  const nameTexts = new Set(phrases.filter((p) => NAME_SOURCES.has(p.source)).map((p) => termSet(terms(p.text))));
  const hyphenated = new Map<string, string[]>();
  for (const p of phrases) for (const [w] of p.text.toLowerCase().matchAll(HYPHENATED)) if (!hyphenated.has(w)) hyphenated.set(w, words(w));
  const compounds = new Compounds(phrases.map((p) => words(p.text)), hyphenated);
  /** The terms of a text; a word no phrase has, as the lexicon's words when it is one of their compounds (compounds.ts). */
  const queryTerms = (ws: readonly string[]): string[] =>
    ws.flatMap((w) => {
      const t = termOf(w);
      if (index.idf(t) > 0) return [t];
      return compounds.resolve(w)?.map(termOf) ?? [t];
    });
  const docTexts = targets.map(() => [] as string[]);
  // A labelled line speaks for itself, not for its key's whole document: one buyer's extra words
  // ("FAS", a brand) would otherwise lend the key weight for every line that shares them.
  for (const p of phrases) if (p.source !== EXAMPLE_SOURCE) docTexts[p.key]!.push(p.text);
  const docs = new KeyDocuments(docTexts);
  // The terms of a phrase, for the evidence of a match; the same phrases win again and again.
  const termsOfPhrase = new Map<number, ReadonlySet<string>>();
  const phraseTerms = (i: number): ReadonlySet<string> => {
    let t = termsOfPhrase.get(i);
    if (!t) termsOfPhrase.set(i, (t = new Set(terms(phrases[i]!.text))));
    return t;
  };
  // A purchase line that names no service buys a good: industries that make goods come first.
  // Electricity (a boundary) is bought as a commodity, like goods.
  // A line that names a service leans the other way, less (GOODS_PRIOR). Activity keys (fuels,
  // travel) are neither.
  const makesGoods = targets.map((t) => /^naics-2017\/(11|21|31|32|33)/.test(t.key));
  // Each prior also leans to a set's defaults (DEFAULT_LEAN).
  const goodsPrior = Float64Array.from(targets, (t, i) => (makesGoods[i] || !t.key.startsWith('naics-') || boundaryOf[i] ? 1 : SERVICE_PRIOR) * defaults[i]!);
  const servicePrior = Float64Array.from(makesGoods, (g, i) => (g ? GOODS_PRIOR : 1) * defaults[i]!);
  const namePrior = defaults.some((d) => d !== 1) ? Float64Array.from(defaults) : undefined;
  const priorLines = withConfirmedKeys(input.codePrior, input.rules ?? []);
  const codePrior = priorLines && priorLines.size > 0 ? codePriorWeights(targets, priorLines) : undefined;
  const dims = targets.map((t) => new Set(t.dimensions));
  /** Per unit dimension, 1 for each target whose factors are in a unit of it (built on first use). */
  const admittedBy = new Map<string, Uint8Array>();
  const admitted = (dimension: string | undefined): Uint8Array | undefined => {
    if (dimension === undefined) return undefined;
    let a = admittedBy.get(dimension);
    if (!a) admittedBy.set(dimension, (a = Uint8Array.from(dims, (d) => (d.has(dimension) ? 1 : 0))));
    return a;
  };
  const regions = new RegionPreference(targets, admitted, (k) => boundaryOf[k] !== undefined);
  /**
   * As admitted, with the well-to-tank keys alone when the text names well-to-tank, else without
   * them (targets.ts); all admitted keys when the unit admits no well-to-tank key.
   */
  const upstream = Uint8Array.from(targets, (t) => (isWellToTankKey(t.key) ? 1 : 0));
  const byUpstream = new Map<string, Uint8Array | undefined>();
  const admittedForText = (dimension: string | undefined, wtt: boolean): Uint8Array | undefined => {
    const k = `${wtt ? 'w' : 'n'}${dimension ?? ''}`;
    if (!byUpstream.has(k)) {
      const a = admitted(dimension);
      const any = upstream.some((u, i) => u === 1 && (!a || a[i] === 1));
      byUpstream.set(k, any ? Uint8Array.from(upstream, (u, i) => (u === (wtt ? 1 : 0) && (!a || a[i] === 1) ? 1 : 0)) : a);
    }
    return byUpstream.get(k);
  };
  /**
   * The prior of a search, times the region's weights: goods before services for a line that
   * names no service, services before goods for one that does, and neither for one of Tally's
   * names (it names what it was written for, a good or a service).
   */
  const priors = new Map<string, Float64Array>();
  const byLine = { goods: goodsPrior, service: servicePrior, name: namePrior };
  const priorFor = (line: keyof typeof byLine, { cls, weight }: RegionWeights): Float64Array | undefined => {
    const kind = byLine[line];
    if (!weight) return kind;
    const k = `${line}${cls}`;
    let p = priors.get(k);
    if (!p) priors.set(k, (p = Float64Array.from(weight, (w, i) => w * (kind?.[i] ?? 1))));
    return p;
  };
  const rules = new RuleBook(input.rules ?? []);

  /** No match: the row names something the library holds no factor for on purpose (a boundary), and the evidence says which and why. */
  const beyond = (b: MatchBoundary, confidence: number, alternatives: MatchAlternative[], evidence: MatchOutcome['evidence']): MatchOutcome => ({
    key: null,
    title: null,
    method: 'none',
    confidence,
    alternatives,
    evidence: { ...evidence, note: evidence.note ? `${b.note} (${evidence.note})` : b.note, withoutFactor: { key: b.key, title: b.title } },
  });
  const outcomeFor = (key: string, method: MatchOutcome['method'], confidence: number, evidence: MatchOutcome['evidence']): MatchOutcome => {
    const t = targets[byKey.get(key) ?? -1];
    return { key, title: t?.title ?? key, method, confidence, alternatives: [{ key, title: t?.title ?? key, confidence }], evidence };
  };

  function match(q: MatchQuery): MatchOutcome {
    const dimension = findUnit(q.unit)?.dimension;
    /** A key the row names by code, when the row's unit fits it: its outcome, or a boundary's no match. */
    const byCode = (key: string, confidence: number, evidence: MatchOutcome['evidence']): MatchOutcome | undefined => {
      const k = byKey.get(key);
      if (k === undefined || (dimension !== undefined && !dims[k]!.has(dimension))) return undefined;
      const b = boundaryOf[k];
      return b ? beyond(b, confidence, [], { code: evidence.code }) : outcomeFor(key, 'code', confidence, evidence);
    };

    // (1) confirmed rules
    const rule = rules.first(q);
    if (rule) return outcomeFor(rule.key, 'rule', 1, { ruleId: rule.id, createdBy: rule.createdBy });
    // (2) codes in the row
    const code = codeOf(q, input.naics2022To2017);
    if (code) {
      const o = byCode(code.key, code.confidence, { code: code.evidence });
      if (o) return o;
    }
    if (q.activityKey) {
      const o = byCode(q.activityKey, 0.99, { code: q.activityKey, note: 'the row names the factor key' });
      if (o) return o;
    }
    // (3) + (4) text, unit-compatible targets only
    const text = q.category ? (q.description ? `${q.description} ; ${q.category}` : q.category) : (q.description ?? '');
    const textWords = words(withoutAsides(text));
    const ownTerms = queryTerms(textWords);
    const query = weightedTerms(ownTerms);
    if (query.length === 0) return noMatch('the text has no words to match on');
    const allow = admittedForText(dimension, namesWellToTank(textWords));
    // Whether the line buys a service is its own words' say (its description and category name),
    // not the words its category's profile lends; a line that is one of Tally's names ("Parking")
    // is what the name names, not a good that holds the word ("Parking meters").
    const here = regions.of(q.region, dimension);
    const prior = priorFor(nameTexts.has(termSet(ownTerms)) ? 'name' : namesService(textWords) ? 'service' : 'goods', here);
    const regionWeight = here.weight;
    const own = rank(query, allow, prior, regionWeight);
    if (!own) return noMatch(`no ${dimension ?? ''} factor shares a word with the text`.replace('  ', ' '));
    // The lead as the evidence shows it: what consultsCategory reads, here and in caches.
    const margin = round4(own.margin);
    // The category's words choose among the keys the text leaves close: a clear lead stands.
    const borrowed = q.categoryProfile && consultsCategory(margin) ? borrowedTerms(query, q.categoryProfile) : [];
    const withCategory = borrowed.length > 0 ? rank([...query, ...borrowed], allow, prior, regionWeight) : undefined;
    const final = withCategory ?? own;
    // The confidence is the text's own: the category's words choose among close candidates, but
    // they are the neighbours' words, so a key they put first is not more certain for it.
    const conf = withCategory ? keptConfidences(final.hits, own.hits, own.conf) : own.conf;
    // A boundary is no key a reviewer could choose: never an alternative.
    const alternatives: MatchAlternative[] = final.hits.flatMap((h, i) => (boundaryOf[h.key] ? [] : [{ key: targets[h.key]!.key, title: targets[h.key]!.title, confidence: conf[i]! }]));
    const best = final.hits[0]!;
    const matched = phraseTerms(best.phrase);
    const ownBest = own.hits[0]!;
    const evidence: MatchOutcome['evidence'] = {
      terms: query.map((x) => x.term).filter((t) => matched.has(t)),
      note: `best phrase: "${phrases[best.phrase]!.text}"${phrases[best.phrase]!.source === EXAMPLE_SOURCE ? ' (a labelled purchase line)' : ''}`,
      coverage: round4(ownBest.coverage),
      phraseCoverage: round4(ownBest.phraseCoverage),
      margin,
      agree: own.agree,
    };
    if (withCategory) {
      const used = borrowed.map((x) => x.term).filter((t) => matched.has(t));
      evidence.category = { descriptions: q.categoryProfile!.descriptions, terms: used, changed: best.key !== ownBest.key };
    }
    if (final.textBest !== undefined) evidence.codePrior = { lines: priorLines!.get(targets[best.key]!.key) ?? 0, changed: best.key !== final.textBest };
    if (ownBest.coverage < NO_MATCH_COVERAGE) return { key: null, title: null, method: 'none', confidence: 1 - own.conf[0]!, alternatives, evidence: { ...evidence, note: `too weak a match (${evidence.note})` } };
    // As sure that no factor fits as that the text names the boundary.
    const boundary = boundaryOf[best.key];
    if (boundary) return beyond(boundary, conf[0]!, alternatives, evidence);
    return { key: alternatives[0]!.key, title: alternatives[0]!.title, method: 'text', confidence: conf[0]!, alternatives, evidence };
  }

  /**
   * The best 5 unit-compatible keys for weighted terms, weighed by `prior` (priorFor), with their
   * confidences; undefined when no key shares a term. With a code prior, the candidates are ranked
   * again with it (textBest: the key the text alone put first); the lead, the agreement and the
   * confidences stay the text's own, as the prior says what purchases often are, not what this
   * text names.
   */
  function rank(query: QueryTerm[], allow: Uint8Array | undefined, prior: Float64Array | undefined, regionWeight?: Float64Array): { hits: PhraseHit[]; conf: number[]; margin: number; agree: boolean; textBest?: number } | undefined {
    const byPhrase = index.search(query, 30, allow, prior);
    const phraseTop = byPhrase[0]?.key;
    const docScores = docs.scores(query, byPhrase.map((h) => h.key));
    let docTop = -1;
    let docBest = -1;
    const candidates = combine(byPhrase, (k, i) => {
      const d = docScores[i]! * (prior?.[k] ?? 1);
      if (d > docBest || (d === docBest && k < docTop)) [docBest, docTop] = [d, k];
      return d;
    });
    const hits = candidates.slice(0, 5);
    if (hits.length === 0) return undefined;
    // Two views of the text agree when the best single phrase and the best whole document name the
    // same key: told to the reviewer, and weighed by the confidence.
    const agree = hits[0]!.key === phraseTop && hits[0]!.key === docTop;
    const margin = hits[1] ? (hits[0]!.score - hits[1].score) / hits[0]!.score : 1;
    // Another key the text is word for word is a rival unless it has no factor where the row
    // took place and the top has (the region tells them apart: "R-410A" at a US site is the EPA
    // Hub's, not DESNZ's, in a run of both).
    const rival = hits[1] !== undefined && isWhole(hits[1]) && (regionWeight?.[hits[1].key] ?? 1) >= (regionWeight?.[hits[0]!.key] ?? 1);
    const named = isName(hits[0]!) && margin > 0 && !rival;
    const conf = confidences(hits, agree, named ? NAMED_CONFIDENCE : 0);
    // A name of Tally's is what it names: how often purchase lines land on other keys does not move it.
    if (!codePrior || named) return { hits, conf, margin, agree };
    // The lead and the confidences are taken from the text's own scores: now the candidates (fresh
    // from the search, the hits among them) take the prior in place.
    for (const h of candidates) h.score *= codePrior[h.key]!;
    const ranked = sortHits(candidates).slice(0, 5);
    return { hits: ranked, conf: keptConfidences(ranked, hits, conf), margin, agree, textBest: hits[0]!.key };
  }

  /** Whether the text is a hit's best phrase, word for word. */
  function isWhole(h: PhraseHit): boolean {
    return h.coverage >= 0.999 && h.phraseCoverage >= 0.999;
  }
  /** Whether the text is, word for word, a hit's best phrase, and that phrase one of Tally's names (NAME_SOURCES). */
  function isName(h: PhraseHit): boolean {
    return isWhole(h) && NAME_SOURCES.has(phrases[h.phrase]!.source);
  }

  /** Terms of the category the text lacks, weighted by how many of the category's lines hold them. */
  function borrowedTerms(query: readonly QueryTerm[], profile: CategoryProfile): QueryTerm[] {
    if (!lendsWords(profile)) return [];
    const have = new Set(query.map((x) => x.term));
    const out: QueryTerm[] = [];
    for (const { term, count } of profile.terms) if (!have.has(term) && index.idf(term) > 0) out.push({ term, weight: (CATEGORY_WEIGHT * count) / profile.descriptions });
    return out;
  }

  // The class also names the rule regions that hold for the region: rows of two regions are answered
  // alike only when the same rules can decide them.
  const ruleRegions = (region: string | undefined) => {
    const r = rules.regionsFor(region);
    return r === '' ? '' : `|${r}`;
  };
  return { match, autoAcceptThreshold: AUTO_ACCEPT_THRESHOLD, regionClass: (region, unit) => (region ? regions.of(region, findUnit(unit)?.dimension).cls : '') + ruleRegions(region) };
}

/** Distinct terms in a canonical order, to compare two texts' terms as sets. */
function termSet(ts: readonly string[]): string {
  return [...new Set(ts)].sort().join(' ');
}

function noMatch(note: string): MatchOutcome {
  return { key: null, title: null, method: 'none', confidence: 1, alternatives: [], evidence: { note } };
}

function codeOf(q: MatchQuery, bridge: MatchEngineInput['naics2022To2017']): { key: string; confidence: number; evidence: string } | undefined {
  if (q.naics2017 && /^\d{6}$/.test(q.naics2017.trim())) return { key: `naics-2017/${q.naics2017.trim()}`, confidence: 0.99, evidence: `NAICS 2017 ${q.naics2017.trim()}` };
  if (q.naics2022 && /^\d{6}$/.test(q.naics2022.trim())) {
    const to = bridge?.[q.naics2022.trim()];
    if (to && to.length > 0) return { key: `naics-2017/${to[0]}`, confidence: to.length === 1 ? 0.97 : 0.85, evidence: `NAICS 2022 ${q.naics2022.trim()} -> 2017 ${to.join(' | ')}` };
  }
  const m = NAICS_IN_TEXT.exec(q.description ?? '');
  if (m) {
    if (m[1] === '2022') {
      const to = bridge?.[m[2]!];
      if (to && to.length > 0) return { key: `naics-2017/${to[0]}`, confidence: 0.85, evidence: `"${m[0]}" in the text -> 2017 ${to[0]}` };
      return undefined;
    }
    return { key: `naics-2017/${m[2]}`, confidence: 0.95, evidence: `"${m[0]}" in the text` };
  }
  return undefined;
}

/**
 * Query terms with weights: a catalogue line usually leads with its noun ("COUPLING BRASS ...",
 * "GAUGES, PRESSURE AND VACUUM"), so the first word counts a little more, and a qualifier less
 * (QUALIFIERS); repeated terms count once.
 */
function weightedTerms(ts: readonly string[]): QueryTerm[] {
  const seen = new Map<string, number>();
  const add = (t: string, w: number) => seen.set(t, Math.max(seen.get(t) ?? 0, w));
  ts.forEach((t, i) => {
    add(t, QUALIFIERS.has(t) ? QUALIFIER_WEIGHT : i === 0 ? HEAD_WEIGHT : 1);
    for (const b of BROADER_BY_STEM.get(t) ?? []) add(b, BROADER_WEIGHT);
  });
  return [...seen].map(([term, weight]) => ({ term, weight }));
}
/** BROADER keyed and valued by stems, so plurals and other forms of a word find their family. */
const BROADER_BY_STEM = new Map(Object.entries(BROADER).map(([w, bs]) => [stem(w), bs.map((b) => stem(b))]));
const HEAD_WEIGHT = 1.5;
/**
 * Words that grade a thing rather than name it ("HEAVY DUTY", "PROFESSIONAL", "REPLACEMENT") count
 * this much, wherever they stand: "MASONRY BRUSH WITH HANDLE HEAVY DUTY" went to heavy duty trucks
 * and "SOAP, INDUSTRIAL GRADE, HEAVY DUTY" elsewhere (development set: 2 items won, none lost, the
 * same from 0 to 0.25; "industrial", "commercial" and "portable" tell NAICS codes apart, so they count in full).
 */
const QUALIFIER_WEIGHT = 0.25;
const QUALIFIERS = new Set('heavy duty professional standard universal custom replacement'.split(' ').map((w) => stem(w)));
/**
 * A term of the row's category (categoryProfile.ts) counts this much times the share of the
 * category's lines that hold it. Development set, categories by NIGP class and item: top-1 +1.2
 * points at 0.5, +1.7 at 0.7 and at 1.0 (top-5 the same as at 0.7, and slower).
 */
const CATEGORY_WEIGHT = 0.7;
/**
 * A text whose best key leads the next by this share of its score or more does not consult its
 * category's profile, and its answer serves every profile (every run and organisation). On the
 * development set the category changed one of the 124 such answers (wrongly) and 51 of the 344
 * closer ones (17 more right than wrong); two in three clean catalogue texts lead by this much,
 * which spares their second search.
 */
export const CATEGORY_MAX_LEAD = 0.3;
/** Whether a text match with this lead (its evidence.margin) reads the row's category profile, when it has one. */
export function consultsCategory(margin: number | undefined): boolean {
  return margin !== undefined && margin < CATEGORY_MAX_LEAD;
}
const BROADER_WEIGHT = 0.5;

/**
 * Each hit's confidence (confidence.ts), the top's at least `topAtLeast`; below the top, a key's
 * lead is what it lacks of the top's score. Capped as alternatives are (cappedAlternatives).
 */
function confidences(hits: readonly PhraseHit[], agree: boolean, topAtLeast: number): number[] {
  const top = hits[0]!.score;
  return cappedAlternatives(
    hits.map((h, i) => {
      const next = hits[i + 1]?.score ?? 0;
      const margin = top > 0 ? (h.score - (i === 0 ? next : top)) / top : 0;
      const c = confidenceOf({ coverage: h.coverage, phraseCoverage: h.phraseCoverage, margin, agree: i === 0 && agree });
      return i === 0 ? Math.max(c, topAtLeast) : c;
    }),
  );
}

/**
 * Confidences of a ranking made with more than the text (a category's words, a code prior): each
 * key keeps the confidence the text alone gave it (a key the text alone did not rank gets at most
 * the lowest of those), capped as alternatives are (cappedAlternatives).
 */
function keptConfidences(hits: readonly PhraseHit[], ownHits: readonly PhraseHit[], ownConf: readonly number[]): number[] {
  const ownOf = new Map(ownHits.map((h, i) => [h.key, ownConf[i]!]));
  const floor = ownConf[ownConf.length - 1] ?? 0;
  return cappedAlternatives(hits.map((h) => ownOf.get(h.key) ?? floor));
}

/**
 * The best key's confidence as it is, and the alternatives' capped so that they never rise down
 * the list and never sum past 1: they are estimates that each key is the right one, and at most
 * one is.
 */
function cappedAlternatives(raw: readonly number[]): number[] {
  const out: number[] = [];
  let sum = 0;
  raw.forEach((r, i) => {
    const c = i === 0 ? r : Math.min(r, out[i - 1]!, round4(Math.max(0, 1 - sum)));
    out.push(c);
    sum += c;
  });
  return out;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** How much the key-level score (all of a key's phrases as one document) adds to the phrase-level one. */
const DOC_WEIGHT = 1;

/** Phrase-level hits with the key-level score added: a key is both its best phrase and all it says. */
function combine(byPhrase: PhraseHit[], docScore: (key: number, i: number) => number): PhraseHit[] {
  byPhrase.forEach((h, i) => (h.score += DOC_WEIGHT * docScore(h.key, i)));
  return sortHits(byPhrase);
}

/**
 * The engine with its answers remembered (the engine is deterministic): a run's chunks share a
 * thread's engine, so each distinct row text is matched once per thread and run rather than once
 * per row. The year is not part of what is remembered, and the region only as its class
 * (regionClass): the region weighs keys only where some candidate keys have a factor for it and
 * others do not, and the region and year then choose among the key's factors (matchFactor.ts), so
 * the same text from sites in many countries is matched once per class (once when no key is
 * regional, as with spend factors, which are all US). A row with a category profile is answered
 * as the row without one unless its text's lead is small enough to consult the category
 * (consultsCategory): runs whose profiles differ share the text's own answers, and only close
 * texts are matched again per profile, which is told apart by its content, so a run that profiles
 * its categories as the last did reuses its answers.
 * Bounded: past `max` entries the memory starts afresh.
 */
export function rememberingMatches(engine: MatchEngine, max = 200_000): MatchEngine {
  const memo = new Map<string, MatchOutcome>();
  const remembered = (k: string, q: MatchQuery): MatchOutcome => {
    let o = memo.get(k);
    if (!o) {
      o = engine.match(q);
      if (memo.size >= max) memo.clear();
      memo.set(k, o);
    }
    return o;
  };
  return {
    autoAcceptThreshold: engine.autoAcceptThreshold,
    ...(engine.regionClass ? { regionClass: engine.regionClass } : {}),
    match(q) {
      const region = engine.regionClass?.(q.region, q.unit) ?? '';
      const k = JSON.stringify([q.description ?? null, q.supplier ?? null, q.account ?? null, q.category ?? null, q.unit, q.naics2017 ?? null, q.naics2022 ?? null, q.activityKey ?? null, region]);
      const own = remembered(k, q.categoryProfile ? { ...q, categoryProfile: undefined } : q);
      if (!q.categoryProfile || !consultsCategory(own.evidence.margin)) return own;
      return remembered(`${k}\u0000${categoryProfileKey(q.categoryProfile)}`, q);
    },
  };
}
