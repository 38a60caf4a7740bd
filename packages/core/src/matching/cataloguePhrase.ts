/**
 * Census NAICS index entries are written for coders, not buyers: besides the product they name
 * what the code does NOT cover ("Hammers (except power-driven) manufacturing"), how or by whom the
 * product is made ("Nails made from purchased wire", "Work shirts cut and sew apparel
 * contractors") and, for apparel, a gender the buyer rarely states ("Work shirts, men's and boys',
 * cut and sewn from purchased fabric (except apparel contractors)"). A purchase line names none of
 * these, so as text to match they only do harm: an exclusion's words match the very things the
 * code leaves out ("power-driven" hammers), and the rest dilutes how much of the phrase a line can
 * cover (every phrase is scored by the share of it the text covers, phraseIndex.ts), most for the
 * codes whose entries spell these out. This keeps the product and its kind, and drops the rest.
 *
 * Gender: NAICS classes unisex cut-and-sew apparel with men's and boys' (315220; the index says so:
 * "Shirts, outerwear, unisex (i.e., sized without regard to gender), cut and sewn ..."), so "men's
 * and boys'" and "unisex" are the default a line without a gender gets; "women's" and "girls'"
 * stay, as they are not.
 */

// "(except ...)", "(excluding ...)" and an unbracketed ", except ..." clause: what the code leaves out.
const EXCLUSION = /\((?:except|excluding|other than)\b[^)]*\)|[,;]\s*except\b[^,;()]*/gi;
// How the product is made, or by whom ("made in apparel knitting mills", "made from purchased
// wire", "cut and sewn from purchased fabric", "cut and sew apparel contractors", "contractors on
// apparel"), and the word "manufacturing" most entries end with: the production route, not the product.
const ROUTE = /\b(?:made|produced|manufactured)\s+(?:in|from|by|on)\b[^,;()]*|\bcut\s+and\s+sewn?\b[^,;()]*|\b(?:apparel\s+)?contractors?\s+on\s+apparel\b|\b(?:mfg|manufacturing)\b/gi;
// The default gender of apparel (see above).
const DEFAULT_GENDER = /\bmen'?s\s+and\s+boys'?|\bunisex\b(?:\s*\((?:i\.e\.,?\s*)?sized without regard to gender\))?/gi;

/** The words of a catalogue phrase a purchase line can be matched on (see above); '' when nothing is left. */
export function cataloguePhrase(phrase: string): string {
  return tidy(phrase.replace(EXCLUSION, ' ').replace(ROUTE, ' ').replace(DEFAULT_GENDER, ' '));
}

/** A title without what its code leaves out ("Office Supplies (except Paper) Manufacturing"). */
export function withoutExclusions(phrase: string): string {
  return tidy(phrase.replace(EXCLUSION, ' '));
}

/** What is left after a cut, tidied for the evidence shown to reviewers (the words are the same either way). */
function tidy(kept: string): string {
  return kept.replace(/\s+/g, ' ').replace(/ (?=[,;)])/g, '').replace(/([,;])(?:\s*[,;])+/g, '$1').replace(/^[\s,;]+|[\s,;]+$/g, '');
}

// Made by apparel contractors ("... cut and sew apparel contractors", "Embroidering contractors on apparel").
const CONTRACTOR = /\bcontractors?\s+on\s+apparel\b|\bapparel\s+contractors?\b/i;

/**
 * Whether a catalogue entry names the apparel contractors' trade (315210, who sew others' fabric
 * for a fee) rather than a product of their own; "(except apparel contractors)" does not count.
 */
export function namesApparelContractor(phrase: string): boolean {
  return CONTRACTOR.test(phrase.replace(EXCLUSION, ' '));
}

// "(EXCEPT CABLE AND WIRE)", "(Not Dry Ice)", "(See 031-78, 79 for Roof Ty": closed, or cut off where the field ends.
const LINE_ASIDE = /\((?:except|excluding|other than|not|see)\b[^)]*(?:\)|$)/gi;

/**
 * A purchase line without its asides: what it says it does not buy ("Ice Making Machines (Not Dry
 * Ice)", "Electrical Supplies (Except Cable and Wire)") and cross-references to other classes
 * ("(See 031-78 for Roof Types)"), which category titles carry and which would otherwise match
 * the very things excluded. Development set: top-1 +1 item, and +2 and ±0 on the hash halves.
 */
export function withoutAsides(line: string): string {
  return line.replace(LINE_ASIDE, ' ');
}
