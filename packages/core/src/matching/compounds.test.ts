import { describe, expect, it } from 'vitest';
import { Compounds } from './compounds.ts';
import { createMatchEngine } from './engine.ts';
import { words } from './normalise.ts';
import type { LexiconEntry, MatchTarget } from './types.ts';

const PHRASES = ['Lawnmowers, powered', 'Lawn and garden tractors', 'Face shields', 'Masks, dust', 'Water treatment', 'Waste collection', 'Wrenches'];
const compounds = new Compounds(PHRASES.map(words));

describe('Compounds', () => {
  it("gives the lexicon's compound that ends in a word, plural or not", () => {
    expect(compounds.resolve('mower')).toEqual(['lawnmowers']);
    expect(compounds.resolve('mowers')).toEqual(['lawnmowers']);
  });

  it('splits a word into two lexicon words', () => {
    expect(compounds.resolve('facemask')).toEqual(['face', 'mask']);
    expect(compounds.resolve('wastewater')).toEqual(['waste', 'water']);
  });

  it('leaves known words, short words and words nothing fits alone', () => {
    expect(compounds.resolve('lawnmowers')).toBeUndefined();
    expect(compounds.resolve('ers')).toBeUndefined();
    expect(compounds.resolve('gatorade')).toBeUndefined();
    // "owers" follows "lawnm", which is no word of the lexicon
    expect(compounds.resolve('owers')).toBeUndefined();
  });
});

describe('compounds in the engine', () => {
  const spend = (code: string, title: string): MatchTarget => ({ key: `naics-2017/${code}`, title, dimensions: ['currency'] });
  const lex = (code: string, phrase: string): LexiconEntry => ({ key: `naics-2017/${code}`, phrase, source: 'census-naics-2017-index' });
  const engine = createMatchEngine({
    targets: [spend('333112', 'Lawn and Garden Tractor and Home Lawn and Garden Equipment Manufacturing'), spend('339113', 'Surgical Appliance and Supplies Manufacturing'), spend('221310', 'Water Supply and Irrigation Systems')],
    lexicon: [lex('333112', 'Lawnmowers (except agricultural-type), powered, manufacturing'), lex('339113', 'Face masks, surgical, manufacturing'), lex('221310', 'Water supply systems')],
  });

  it('matches a line on the words of a compound it writes differently, and shows them as evidence', () => {
    const mower = engine.match({ description: 'MOWER BLADE', unit: 'USD' });
    expect(mower.key).toBe('naics-2017/333112');
    expect(mower.evidence.terms).toContain('lawnmow');
    const mask = engine.match({ description: 'FACEMASK SURGICAL', unit: 'USD' });
    expect(mask.key).toBe('naics-2017/339113');
    expect(mask.evidence.terms).toEqual(expect.arrayContaining(['face', 'mask', 'surgic']));
  });
});
