import type { LexiconEntry, MappingRule } from './types.ts';

/**
 * Labelled purchase lines as phrases of their keys. The catalogues name products as coders write
 * them ("Couplings, pipe, brass, made from purchased pipe"); buyers write "COUPLING BRASS COMP GJ 1
 * IN", with abbreviations, brands and word orders of their own, and label conventions no catalogue
 * carries (protective gloves are surgical supplies). A line worded like a labelled one is most
 * likely what that one is: each labelled line is one more phrase of its key, scored as any phrase
 * is (so a line sharing one common word with it gains little), but not part of its key's whole
 * document (engine.ts).
 *
 * Development set, each hash half matched with the other half's lines as examples (the bench's
 * cross-fitting): top-1 0.580 to 0.604; at 0.7 or 1.5 times a phrase's weight 0.600 and 0.596, and
 * also in the key documents 0.595 to 0.600.
 */
export const EXAMPLE_SOURCE = 'labelled-purchase-line';
export const EXAMPLE_WEIGHT = 1;

/**
 * The organisation's confirmed rules on the description as labelled lines: a reviewer who confirms
 * "GLOVES NITRILE L" as surgical supplies has labelled it, and "GLOVES NITRILE XL BOX 100" is worded
 * like it. Exact and contains rules only, as a regex is no text; and rules for every region only,
 * as a phrase cannot tell where a row took place. A rule for one category is the line as the engine
 * reads a row of that category, its text and the category's name ("FITTING 2 IN ; PIPE",
 * engine.ts): it leans rows of that category most, and a row of another category, whose own
 * category's name the example lacks, less.
 */
export function examplesOfRules(rules: readonly MappingRule[]): LexiconEntry[] {
  return rules
    .filter((r) => r.field === 'description' && (r.kind === 'exact' || r.kind === 'contains') && !r.region)
    .map((r) => ({ key: r.key, phrase: r.category ? `${r.pattern} ; ${r.category}` : r.pattern, source: EXAMPLE_SOURCE }));
}
