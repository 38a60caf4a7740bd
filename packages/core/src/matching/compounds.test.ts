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

  it('gives the words of a hyphenated lexicon word written closed, plural or not', () => {
    const hyphenated = new Compounds([words('Pick-up trucks'), words('X-ray apparatus')], [['pick-up', words('pick-up')], ['x-ray', words('x-ray')]]);
    expect(hyphenated.resolve('pickup')).toEqual(['pick', 'up']);
    expect(hyphenated.resolve('pickups')).toEqual(['pick', 'up']);
    // "x" is too short to be a word: the closed form stands for what is left
    expect(hyphenated.resolve('xray')).toEqual(['ray']);
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
    targets: [spend('333112', 'Lawn and Garden Tractor and Home Lawn and Garden Equipment Manufacturing'), spend('339113', 'Surgical Appliance and Supplies Manufacturing'), spend('221310', 'Water Supply and Irrigation Systems'), spend('336112', 'Light Truck and Utility Vehicle Manufacturing')],
    lexicon: [lex('333112', 'Lawnmowers (except agricultural-type), powered, manufacturing'), lex('339113', 'Face masks, surgical, manufacturing'), lex('221310', 'Water supply systems'), lex('336112', 'Pick-up trucks, light duty, manufacturing')],
  });

  it('matches a line on the words of a compound it writes differently, and shows them as evidence', () => {
    const mower = engine.match({ description: 'MOWER BLADE', unit: 'USD' });
    expect(mower.key).toBe('naics-2017/333112');
    expect(mower.evidence.terms).toContain('lawnmow');
    const mask = engine.match({ description: 'FACEMASK SURGICAL', unit: 'USD' });
    expect(mask.key).toBe('naics-2017/339113');
    expect(mask.evidence.terms).toEqual(expect.arrayContaining(['face', 'mask', 'surgic']));
    const pickup = engine.match({ description: 'TRUCKS, PICKUP, 3/4 TON', unit: 'USD' });
    expect(pickup.key).toBe('naics-2017/336112');
    expect(pickup.evidence.terms).toEqual(expect.arrayContaining(['truck', 'pick', 'up']));
  });
});
