import { textKey, words } from './normalise.ts';
import type { MappingRule, MatchQuery } from './types.ts';

const RULE_ORDER: Record<MappingRule['kind'], number> = { exact: 0, contains: 1, regex: 2 };

/** The rule fields a rule reads, and the row's category that scopes it. */
export type RuleQuery = Pick<MatchQuery, 'description' | 'supplier' | 'account' | 'category'>;

/**
 * An organisation's confirmed rules, in the order the matcher tries them: exact before contains
 * before regex, and within a kind a rule for the row's category before one for any. The matcher
 * applies the first that holds for a row; the review queue uses the same to tell which of its groups
 * a live rule already decides.
 */
export class RuleBook {
  readonly #rules: readonly MappingRule[];
  readonly #regexes: ReadonlyMap<string, RegExp | null>;

  constructor(rules: readonly MappingRule[]) {
    this.#rules = [...rules].sort((a, b) => RULE_ORDER[a.kind] - RULE_ORDER[b.kind] || Number(!a.category) - Number(!b.category));
    this.#regexes = new Map(this.#rules.filter((r) => r.kind === 'regex').map((r) => [r.id, safeRegex(r.pattern)]));
  }

  /** The first rule that holds for the row, if any. */
  first(q: RuleQuery): MappingRule | undefined {
    for (const r of this.#rules) {
      const value = q[r.field];
      if (!value || (r.category && textKey(q.category ?? '') !== textKey(r.category))) continue;
      if (holds(r, value, this.#regexes.get(r.id))) return r;
    }
    return undefined;
  }
}

/** A pattern that is no valid regular expression never holds (the API refuses one; older rows may hold one). */
function safeRegex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return null;
  }
}

function holds(r: MappingRule, value: string, re: RegExp | null | undefined): boolean {
  switch (r.kind) {
    case 'exact':
      return textKey(value) === textKey(r.pattern);
    case 'contains': {
      const have = new Set(words(value));
      return words(r.pattern).every((w) => have.has(w));
    }
    case 'regex':
      return re?.test(value) ?? false;
  }
}
