/**
 * The matching engine's contract: from an activity's text and codes to a factor key, with a
 * confidence, the method that decided, the top alternatives and the evidence. Pure data, so it
 * crosses into worker threads and is stored on results as is.
 */

import type { CategoryProfile } from './categoryProfile.ts';

/** A phrase that names what a factor key covers (a Census NAICS index entry, a title...). */
export interface LexiconEntry {
  /** Factor key the phrase points at, e.g. `naics-2017/326122` or a DESNZ fuel key. */
  key: string;
  phrase: string;
  /** Where the phrase comes from, e.g. `census-naics-2017-index`, `naics-2017-title`, `caml`, `factor-name`. */
  source: string;
}

/** Something a row can be matched to: a factor key with its display title and the dimension of its unit. */
export interface MatchTarget {
  key: string;
  title: string;
  /** Dimensions of the units the key's factors are published in (currency for spend-based factors). */
  dimensions: readonly string[];
  /** Regions the key's factors are published for (upper case, e.g. GB, US-EGRID-CAMX, GLOBAL); absent: any. */
  regions?: readonly string[] | undefined;
}

/**
 * Something the factor library holds no factor for on purpose, in the unit dimensions where a row
 * of it would otherwise be matched to something else: spend on electricity, which EPA's supply
 * chain factors leave out, as bought electricity is Scope 2 and reported by the kWh. A row matched
 * to one is answered as no match, with `note` saying why and what to do instead.
 */
export interface MatchBoundary {
  key: string;
  title: string;
  dimensions: readonly string[];
  note: string;
}

/** An organisation's confirmed mapping rule. */
export interface MappingRule {
  id: string;
  /** exact: the normalised field equals `pattern`; contains: every word of `pattern` occurs; regex: a JS regular expression (case-insensitive). */
  kind: 'exact' | 'contains' | 'regex';
  field: 'description' | 'supplier' | 'account' | 'category';
  pattern: string;
  key: string;
  /**
   * Only rows of this category (the row's category field, compared as `exact` compares); absent or
   * null: rows of any category. A terse text can name different things in different categories
   * ("FITTING 2 IN" among pipe or among wiring), and the engine's answer for it can differ by
   * category too, so a reviewer can confirm it for one category alone.
   */
  category?: string | null;
  /**
   * Only rows that took place in this region (the row's region: its location, else its entity's
   * country), or in a region within it: "US" holds for "US-EGRID-CAMX". Absent or null: rows of
   * any region. "Electricity" confirmed as the UK grid for British sites should not send American
   * sites to it.
   */
  region?: string | null;
  /** Who confirmed it (API key id or user), for the lineage. */
  createdBy: string;
}

export interface MatchQuery {
  description?: string | null | undefined;
  supplier?: string | null | undefined;
  account?: string | null | undefined;
  category?: string | null | undefined;
  /** The row's unit code (unit table): only unit-compatible targets are admitted. */
  unit: string;
  region?: string | undefined;
  year?: number | undefined;
  /** Codes present in the row. */
  naics2017?: string | null | undefined;
  naics2022?: string | null | undefined;
  /** The row's activity_type when it names a factor key itself. */
  activityKey?: string | null | undefined;
  /** What the row's category holds across the organisation's data (categoryProfile.ts). */
  categoryProfile?: CategoryProfile | undefined;
}

export type MatchMethod = 'rule' | 'code' | 'text' | 'none';

export interface MatchAlternative {
  key: string;
  title: string;
  confidence: number;
}

export interface MatchOutcome {
  /** null: no match (a valid answer: nothing in the library fits, or too little to go on). */
  key: string | null;
  title: string | null;
  method: MatchMethod;
  /** In [0, 1]: the engine's estimate that `key` is right (for no match, that no match is right). */
  confidence: number;
  /** The best candidates, best first, the chosen one included (at most 5). */
  alternatives: MatchAlternative[];
  /** Why: the rule id, the code found, or the query terms that matched and their weights. */
  evidence: {
    ruleId?: string;
    createdBy?: string;
    code?: string;
    terms?: string[];
    note?: string;
    /** Text matches: the share of the query's weight the best phrase covers, and the lead over the next key. */
    coverage?: number;
    /** The share of the best phrase's own weight the text covers: low when the phrase names much the text does not. */
    phraseCoverage?: number;
    margin?: number;
    /** Whether the best single phrase and the best whole document of a key agree on it. */
    agree?: boolean;
    /** When the row's category was consulted (a close lead, categoryProfile.ts): how many lines its profile was built from, the lent terms the best phrase holds, and whether they changed the answer. */
    category?: { descriptions: number; terms: string[]; changed: boolean };
    /**
     * When the engine has a code prior (codePrior.ts) and ranked the text with it: how many labelled
     * purchase lines and confirmed rules the chosen key has, and whether the prior changed the
     * answer (the best key without it).
     */
    codePrior?: { lines: number; changed: boolean };
    /** No match because the text names something the library holds no factor for on purpose (MatchBoundary): which. */
    withoutFactor?: { key: string; title: string };
  };
}
