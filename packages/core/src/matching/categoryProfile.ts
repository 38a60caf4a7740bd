import { terms, textKey } from './normalise.ts';

/**
 * What one of an organisation's own purchase categories holds: the terms its distinct descriptions
 * share. A category code ("65933") says nothing, but its lines say "coupling", "elbow", "brass":
 * a terse line of the category borrows those words, at a fraction of its own words' weight
 * (engine.ts), to choose among candidates its own words leave close. Built from a run's data when
 * the run is planned and stored with it, so a run's matches depend on that snapshot only.
 */
export interface CategoryProfile {
  /** Distinct descriptions the profile was built from. */
  descriptions: number;
  /** Terms (stems) held by at least CATEGORY_MIN_SHARE of them, with how many hold each: most first, then by term. */
  terms: readonly { term: string; count: number }[];
}

/**
 * A term held by fewer of the category's lines than this share is one line's word, not the
 * category's (development set: top-1 +1.7 points at 0.1, +1.1 at 0.2, +1.5 at 0.05); it also
 * bounds a profile's size.
 */
export const CATEGORY_MIN_SHARE = 0.1;

/** A profile lends its words only when built from this many distinct descriptions or more: one line's words are its own text's. */
export const CATEGORY_MIN_DESCRIPTIONS = 2;

/** Whether a row of this category borrows its profile's words (CATEGORY_MIN_DESCRIPTIONS). */
export function lendsWords(p: CategoryProfile): boolean {
  return p.descriptions >= CATEGORY_MIN_DESCRIPTIONS;
}

/** The profile of a category's descriptions (blank ones count for nothing, spellings of one as one: textKey). */
export function categoryProfileOf(descriptions: Iterable<string>): CategoryProfile {
  const distinct = new Set<string>();
  for (const d of descriptions) {
    const t = textKey(d);
    if (t) distinct.add(t);
  }
  const counts = new Map<string, number>();
  for (const d of distinct) for (const t of new Set(terms(d))) counts.set(t, (counts.get(t) ?? 0) + 1);
  const n = distinct.size;
  return {
    descriptions: n,
    terms: [...counts]
      .filter(([, c]) => c >= CATEGORY_MIN_SHARE * n)
      .map(([term, count]) => ({ term, count }))
      .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0)),
  };
}

/** A profile's content as one canonical string (terms in categoryProfileOf's order): what its digest and its key name. */
export function categoryProfileContent(p: CategoryProfile): string {
  return JSON.stringify([p.descriptions, p.terms.map((t) => [t.term, t.count])]);
}

const keys = new WeakMap<CategoryProfile, string>();
const idOfContent = new Map<string, string>();
let lastId = 0;

/**
 * A short name for a profile's content, remembered per object: what caches key a row's answer by,
 * so that a profile loaded again (the next chunk, the next run) with the same content finds it.
 * Names are never reused (a forgotten content gets a new one), so a name never means two contents;
 * the contents remembered are bounded (a thread's heap is), past which they start afresh.
 */
export function categoryProfileKey(p: CategoryProfile): string {
  let k = keys.get(p);
  if (k === undefined) {
    const content = categoryProfileContent(p);
    k = idOfContent.get(content);
    if (k === undefined) {
      if (idOfContent.size >= 20_000) idOfContent.clear();
      idOfContent.set(content, (k = `p${++lastId}`));
    }
    keys.set(p, k);
  }
  return k;
}
