import { describe, expect, it } from 'vitest';
import { cataloguePhrase, namesApparelContractor, withoutAsides } from './cataloguePhrase.ts';
import { createMatchEngine } from './engine.ts';
import type { LexiconEntry, MatchTarget } from './types.ts';

describe('namesApparelContractor', () => {
  it("is the apparel contractors' entries, not the makers' that exclude them", () => {
    expect(namesApparelContractor("Trousers, men's and boys', cut and sew apparel contractors")).toBe(true);
    expect(namesApparelContractor('Embroidering contractors on apparel')).toBe(true);
    expect(namesApparelContractor("Trousers, men's and boys', cut and sewn from purchased fabric (except apparel contractors)")).toBe(false);
    expect(namesApparelContractor('Gloves, leather (except athletic, cut and sewn apparel contractors), manufacturing')).toBe(false);
    expect(namesApparelContractor('Plumbing contractors')).toBe(false);
  });
});

describe('cataloguePhrase', () => {
  it('drops what the code leaves out', () => {
    expect(cataloguePhrase('Hammers (except power-driven) manufacturing')).toBe('Hammers');
    expect(cataloguePhrase('Batteries, except automotive, dealers')).toBe('Batteries, dealers');
    expect(cataloguePhrase('Jackets (excluding fur) and coats')).toBe('Jackets and coats');
  });

  it('drops the production route and the word "manufacturing"', () => {
    expect(cataloguePhrase('Nails made from purchased wire')).toBe('Nails');
    expect(cataloguePhrase('Shirts, outerwear, made in apparel knitting mills')).toBe('Shirts, outerwear');
    expect(cataloguePhrase('Work shirts cut and sew apparel contractors')).toBe('Work shirts');
    expect(cataloguePhrase('Embroidering contractors on apparel')).toBe('Embroidering');
    expect(cataloguePhrase('PVC pipe manufacturing')).toBe('PVC pipe');
  });

  it("drops the default gender of apparel (men's and boys', unisex), not women's", () => {
    expect(cataloguePhrase("Work shirts, men's and boys', cut and sewn from purchased fabric (except apparel contractors)")).toBe('Work shirts');
    expect(cataloguePhrase('Shirts, outerwear, unisex (i.e., sized without regard to gender), cut and sewn from purchased fabric')).toBe('Shirts, outerwear');
    expect(cataloguePhrase("Blouses, women's, misses', and girls', cut and sewn from purchased fabric")).toBe("Blouses, women's, misses', and girls'");
  });

  it('keeps what says what the product is, and leaves nothing of a phrase that is only a route', () => {
    expect(cataloguePhrase('Lamp bulbs and tubes, electric (i.e., fluorescent, incandescent)')).toBe('Lamp bulbs and tubes, electric (i.e., fluorescent, incandescent)');
    expect(cataloguePhrase('Manufacturing')).toBe('');
  });
});

describe('catalogue phrases in the engine', () => {
  const spend = (code: string, title: string): MatchTarget => ({ key: `naics-2017/${code}`, title, dimensions: ['currency'] });
  const lex = (code: string, phrase: string): LexiconEntry => ({ key: `naics-2017/${code}`, phrase, source: 'census-naics-2017-index' });
  const engine = createMatchEngine({
    targets: [spend('332216', 'Saw Blade and Handtool Manufacturing'), spend('333991', 'Power-Driven Handtool Manufacturing'), spend('315190', 'Other Apparel Knitting Mills'), spend('315220', "Men's and Boys' Cut and Sew Apparel Manufacturing")],
    lexicon: [
      lex('332216', 'Hammers (except power-driven) manufacturing'),
      lex('333991', 'Drills, handheld power-driven, manufacturing'),
      lex('315190', 'Trousers made in apparel knitting mills'),
      lex('315220', "Trousers, men's and boys', cut and sewn from purchased fabric (except apparel contractors)"),
    ],
  });

  it('does not match a text on the words of an exclusion', () => {
    expect(engine.match({ description: 'DRILL POWER-DRIVEN', unit: 'USD' }).alternatives.map((a) => a.key)).toEqual(['naics-2017/333991']);
  });

  it("gives a tie between a maker's entry and the apparel contractors' same entry to the maker", () => {
    const e = createMatchEngine({
      targets: [spend('315210', 'Cut and Sew Apparel Contractors'), spend('315220', "Men's and Boys' Cut and Sew Apparel Manufacturing")],
      lexicon: [lex('315210', "Work shirts, men's and boys', cut and sew apparel contractors"), lex('315220', "Work shirts, men's and boys', cut and sewn from purchased fabric (except apparel contractors)")],
    });
    expect(e.match({ description: 'SHIRT WORK NAVY', unit: 'USD' }).alternatives.map((a) => a.key)).toEqual(['naics-2017/315220', 'naics-2017/315210']);
  });

  it('lets a line without a gender or route cover the whole of the entry of each route', () => {
    const o = engine.match({ description: 'TROUSERS', unit: 'USD' });
    expect(o.evidence.phraseCoverage).toBe(1);
    expect(o.alternatives.map((a) => a.key).sort()).toEqual(['naics-2017/315190', 'naics-2017/315220']);
  });
});

describe('withoutAsides', () => {
  it('drops what a line says it does not buy and its cross-references, closed or cut off', () => {
    expect(withoutAsides('ELECTRICAL EQUIPMENT AND SUPPLIES (EXCEPT CABLE AND WIRE)').trim()).toBe('ELECTRICAL EQUIPMENT AND SUPPLIES');
    expect(withoutAsides('Ice Making and Dispensing Machines (Not Dry Ice)').trim()).toBe('Ice Making and Dispensing Machines');
    expect(withoutAsides('Ventilators, All Types (See 031-78, 79 for Roof Ty').trim()).toBe('Ventilators, All Types');
    expect(withoutAsides('Telephone Equipment and Piece Parts (Not Lines or').trim()).toBe('Telephone Equipment and Piece Parts');
    // other parentheses stay
    expect(withoutAsides('ABSORBENT (GRANULAR) FOR OIL')).toBe('ABSORBENT (GRANULAR) FOR OIL');
    expect(withoutAsides('Notebooks (Notepads) 8 X 11')).toBe('Notebooks (Notepads) 8 X 11');
  });
});
