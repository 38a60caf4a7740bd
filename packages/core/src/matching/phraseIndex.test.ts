import { describe, expect, it } from 'vitest';
import { terms } from './normalise.ts';
import { KeyDocuments, PhraseIndex } from './phraseIndex.ts';

const query = (text: string) => [...new Set(terms(text))].map((term) => ({ term, weight: 1 }));

describe('PhraseIndex', () => {
  // key 0: hand tools; key 1: power tools; key 2: something else sharing no word
  const phrases = [
    { key: 0, text: 'Wrenches, handtools, nonpowered, manufacturing' },
    { key: 1, text: 'Impact wrenches, handheld power-driven, pneumatic, electric, manufacturing' },
    { key: 1, text: 'Drills, handheld power-driven, manufacturing' },
    { key: 2, text: 'Plastics pipe manufacturing' },
  ];
  const index = new PhraseIndex(phrases, 3);

  it('prefers the phrase that says least beyond the text, and reports both coverages', () => {
    const hits = index.search(query('WRENCH COMBINATION 3/8 IN'), 5, undefined);
    expect(hits.map((h) => h.key)).toEqual([0, 1]);
    expect(hits[0]!.phrase).toBe(0);
    // the query's "combination" is in no phrase: the wrench phrase covers all the query weight it can
    expect(hits[0]!.coverage).toBe(1);
    expect(hits[0]!.phraseCoverage).toBeGreaterThan(hits[1]!.phraseCoverage);
    expect(hits[1]!.phraseCoverage).toBeGreaterThan(0);
    expect(hits[1]!.phraseCoverage).toBeLessThan(0.5);
  });

  it('counts only the words some admitted key has in the coverage: a word only the other keys have says nothing of which admitted key it is', () => {
    // "pipe" is only key 2's; with key 2 not admitted, "WRENCH PIPE" is a wrench as fully as "WRENCH" is
    const onlyTools = Uint8Array.from([1, 1, 0]);
    expect(index.search(query('WRENCH PIPE'), 5, onlyTools)[0]!.coverage).toBe(1);
    expect(index.search(query('WRENCH PIPE'), 5, undefined).find((h) => h.key === 0)!.coverage).toBeLessThan(1);
  });

  it('scales BM25 by the share of the phrase the text covers: a rare word the text lacks costs more than a common one', () => {
    // "Wrenches, impact" is shorter (plain BM25 ranks it first) but names a rare word the text does
    // not; "Wrenches, metal, manufacturing" only adds words most phrases have.
    const fillers = ['Pipe', 'Valves', 'Tanks', 'Drums', 'Bins', 'Hinges'].map((w) => ({ key: 2, text: `${w}, metal, manufacturing` }));
    const idx = new PhraseIndex([{ key: 0, text: 'Wrenches, metal, manufacturing' }, { key: 1, text: 'Wrenches, impact' }, ...fillers], 3);
    const hits = idx.search(query('wrench'), 5, undefined);
    expect(hits.map((h) => h.key)).toEqual([0, 1]);
    // idf: wrench ln 3.6, metal and manufactur ln 1.2 each, impact ln 6
    expect(hits[0]!.phraseCoverage).toBeCloseTo(Math.log(3.6) / (Math.log(3.6) + 2 * Math.log(1.2)), 6);
    expect(hits[1]!.phraseCoverage).toBeCloseTo(Math.log(3.6) / (Math.log(3.6) + Math.log(6)), 6);
  });

  it('admits only the keys marked in `allow`, and keeps at most `limit`', () => {
    expect(index.search(query('wrench'), 5, Uint8Array.of(0, 1, 1)).map((h) => h.key)).toEqual([1]);
    expect(index.search(query('wrench'), 1, undefined).map((h) => h.key)).toEqual([0]);
    expect(index.search(query('zzyzx'), 5, undefined)).toEqual([]);
  });

  it('leaves no state behind between queries', () => {
    const first = index.search(query('handheld drills'), 5, undefined);
    index.search(query('plastics pipe'), 5, undefined);
    expect(index.search(query('handheld drills'), 5, undefined)).toEqual(first);
  });
});

describe('KeyDocuments', () => {
  const docs = new KeyDocuments([['Wrenches, handtools', 'Hammers, handtools'], ['Impact wrenches, power-driven'], ['Plastics pipe']]);

  it('scores each key as one document of its phrases, in the order asked, and 0 for a key without the words', () => {
    const q = query('handtools wrench');
    const s = [...docs.scores(q, [2, 0, 1])];
    expect(s[0]).toBe(0);
    expect(s[1]).toBeGreaterThan(s[2]!);
    expect(s[2]).toBeGreaterThan(0);
    // one key at a time gives the same numbers, and the accumulators are cleared between calls
    expect(docs.score(0, q)).toBe(s[1]);
    expect(docs.score(1, q)).toBe(s[2]);
  });
});
