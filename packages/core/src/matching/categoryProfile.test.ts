import { describe, expect, it } from 'vitest';
import { CATEGORY_MIN_SHARE, categoryProfileKey, categoryProfileOf } from './categoryProfile.ts';
import { createMatchEngine, rememberingMatches, type MatchEngine } from './engine.ts';
import type { LexiconEntry, MatchQuery, MatchTarget } from './types.ts';

const spend = (code: string, title: string): MatchTarget => ({ key: `naics-2017/${code}`, title, dimensions: ['currency'] });
const lex = (code: string, phrase: string): LexiconEntry => ({ key: `naics-2017/${code}`, phrase, source: 'census-naics-2017-index' });
const engine = createMatchEngine({
  targets: [spend('326122', 'Plastics Pipe and Pipe Fitting Manufacturing'), spend('335931', 'Current-Carrying Wiring Device Manufacturing')],
  lexicon: [
    lex('326122', 'Housings, plastics pipe, manufacturing'),
    lex('326122', 'PVC pipe fittings manufacturing'),
    lex('335931', 'Housings, electrical outlet, manufacturing'),
    lex('335931', 'Plugs, electric cord, manufacturing'),
  ],
});
const PIPES = categoryProfileOf(['COUPLING PVC 2 IN', 'TEE PVC 3 IN', 'ELBOW PVC PIPE 1 IN', 'HOUSING 2 IN']);
const WIRING = categoryProfileOf(['PLUG CORD 120V', 'OUTLET DUPLEX', 'HOUSING 2 IN', 'CORD EXTENSION 25 FT']);
const housing = (categoryProfile?: MatchQuery['categoryProfile']): MatchQuery => ({ description: 'HOUSING 2 IN', unit: 'USD', categoryProfile });

describe('categoryProfileOf', () => {
  it("counts each term once per distinct description and keeps the category's shared terms, most held first", () => {
    const p = categoryProfileOf(['TEE PVC 3 IN', 'TEE PVC 3 IN', ' ', 'Elbow PVC', 'pvc pipe', ...Array.from({ length: 7 }, (_, i) => `ITEM ${'abcdefg'[i]}${'abcdefg'[i]}x`)]);
    expect(p.descriptions).toBe(10);
    // "PVC" also reads as "plastic" (normalise.ts)
    expect(p.terms.slice(0, 2)).toEqual([{ term: 'plastic', count: 3 }, { term: 'pvc', count: 3 }]);
    // "tee", "elbow", "pipe" are each held by 1 of 10 lines: exactly the minimum share.
    expect(p.terms.slice(2).map((t) => t.term)).toEqual(['aax', 'bbx', 'ccx', 'ddx', 'eex', 'elbow', 'ffx', 'ggx', 'pipe', 'tee']);
    expect(p.terms.every((t) => t.count >= CATEGORY_MIN_SHARE * p.descriptions)).toBe(true);
    const wide = categoryProfileOf(Array.from({ length: 20 }, (_, i) => `PVC ITEM ${'abcdefghijklmnopqrst'[i]!.repeat(3)}`));
    expect(wide.terms).toEqual([{ term: 'plastic', count: 20 }, { term: 'pvc', count: 20 }]);
  });

  it('counts spellings of one description once: case and spacing aside (textKey)', () => {
    expect(categoryProfileOf(['TEE PVC 3 IN', 'tee  pvc 3 in ', 'Tee PVC 3 In']).descriptions).toBe(1);
    expect(categoryProfileOf(['TEE PVC 3 IN', 'ELBOW PVC'])).toEqual(categoryProfileOf(['Tee Pvc 3 In', ' elbow\tpvc']));
  });
});

describe('categoryProfileKey', () => {
  it('names equal contents alike and different contents apart', () => {
    const copy = { descriptions: PIPES.descriptions, terms: PIPES.terms.map((t) => ({ ...t })) };
    expect(categoryProfileKey(copy)).toBe(categoryProfileKey(PIPES));
    expect(categoryProfileKey(WIRING)).not.toBe(categoryProfileKey(PIPES));
    expect(categoryProfileKey({ ...copy, descriptions: copy.descriptions + 1 })).not.toBe(categoryProfileKey(PIPES));
  });
});

describe('matching with a category profile', () => {
  it("lets the category's words choose among the keys the text leaves close, and says so", () => {
    const pipes = engine.match(housing(PIPES));
    const wiring = engine.match(housing(WIRING));
    expect(pipes.key).toBe('naics-2017/326122');
    expect(wiring.key).toBe('naics-2017/335931');
    expect(pipes.evidence.category).toMatchObject({ descriptions: 4 });
    expect(pipes.evidence.category!.terms).toContain('plastic');
    expect(wiring.evidence.category).toMatchObject({ terms: ['outlet'] });
    // the text alone chose one of the two: the other category changed the answer
    expect([pipes, wiring].map((o) => o.evidence.category!.changed).sort()).toEqual([false, true]);
  });

  it("never makes a match more certain than the text's own words do", () => {
    const own = engine.match(housing());
    for (const p of [PIPES, WIRING]) {
      const o = engine.match(housing(p));
      const ownOfKey = own.alternatives.find((a) => a.key === o.key)!.confidence;
      expect(o.confidence).toBeLessThanOrEqual(ownOfKey);
      // the coverage, lead and agreement shown are the text's own
      expect(o.evidence).toMatchObject({ coverage: own.evidence.coverage, margin: own.evidence.margin, agree: own.evidence.agree });
      for (let i = 1; i < o.alternatives.length; i++) expect(o.alternatives[i]!.confidence).toBeLessThanOrEqual(o.alternatives[i - 1]!.confidence);
    }
  });

  it('is the plain match when the category has one description, or lends nothing the lexicon knows', () => {
    const own = engine.match(housing());
    expect(engine.match(housing(categoryProfileOf(['HOUSING 2 IN'])))).toEqual(own);
    expect(engine.match(housing(categoryProfileOf(['HOUSING 2 IN', 'ZZQX WIDGET'])))).toEqual(own);
  });

  it('is remembered per text, and per profile content where the text consults its category', () => {
    const seen: MatchQuery[] = [];
    const counting: MatchEngine = { autoAcceptThreshold: engine.autoAcceptThreshold, match: (q) => (seen.push(q), engine.match(q)) };
    const remembering = rememberingMatches(counting);
    expect(remembering.match(housing(PIPES))).toEqual(engine.match(housing(PIPES)));
    expect(remembering.match(housing(WIRING))).toEqual(engine.match(housing(WIRING)));
    // a profile of the same content, as the next run of the organisation loads it
    expect(remembering.match(housing({ descriptions: PIPES.descriptions, terms: PIPES.terms.map((t) => ({ ...t })) })).key).toBe('naics-2017/326122');
    // the text alone once, then once per profile
    expect(seen.map((q) => q.categoryProfile)).toEqual([undefined, PIPES, WIRING]);
  });

  it('leaves a text with a clear lead to its own words', () => {
    const clear = { description: 'PVC PIPE FITTINGS', unit: 'USD' };
    const own = engine.match(clear);
    expect(own.evidence.margin).toBeGreaterThanOrEqual(0.3);
    expect(engine.match({ ...clear, categoryProfile: WIRING })).toEqual(own);
    const seen: MatchQuery[] = [];
    const remembering = rememberingMatches({ autoAcceptThreshold: 0.8, match: (q) => (seen.push(q), engine.match(q)) });
    expect(remembering.match({ ...clear, categoryProfile: WIRING })).toEqual(own);
    expect(remembering.match({ ...clear, categoryProfile: PIPES })).toEqual(own);
    expect(seen).toHaveLength(1);
  });
});
