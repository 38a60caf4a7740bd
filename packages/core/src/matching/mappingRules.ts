import { regionPath } from '../calculation/matchFactor.ts';
import { textKey, words } from './normalise.ts';
import type { MappingRule, MatchQuery } from './types.ts';

const RULE_ORDER: Record<MappingRule['kind'], number> = { exact: 0, contains: 1, regex: 2 };

/** The rule fields a rule reads, and the row's category and region that scope it. */
export type RuleQuery = Pick<MatchQuery, 'description' | 'supplier' | 'account' | 'category' | 'region'>;

/**
 * An organisation's confirmed rules, in the order the matcher tries them: exact before contains
 * before regex, within a kind a rule for the row's category before one for any, then a rule for
 * the row's region before one for a region around it and one for any. The matcher applies the
 * first that holds for a row; the review queue uses the same to tell which of its groups a live
 * rule already decides.
 */
export class RuleBook {
  /** Each rule with what matching it reads, worked out once: its category's and exact pattern's textKey, its compiled regex. */
  readonly #rules: readonly { rule: MappingRule; category: string | null; region: string | null; exact: string | null; regex: RegExp | null }[];
  /** The regions rules are scoped to, upper case, sorted. */
  readonly #regions: readonly string[];

  constructor(rules: readonly MappingRule[]) {
    // A narrower region first: "US-EGRID-CAMX" (three levels) before "US" (one) before none (zero).
    const depth = (r: MappingRule) => (r.region ? r.region.split('-').length : 0);
    this.#rules = [...rules]
      .sort((a, b) => RULE_ORDER[a.kind] - RULE_ORDER[b.kind] || Number(!a.category) - Number(!b.category) || depth(b) - depth(a))
      .map((rule) => ({
        rule,
        category: rule.category ? textKey(rule.category) : null,
        region: rule.region ? rule.region.toUpperCase() : null,
        exact: rule.kind === 'exact' ? textKey(rule.pattern) : null,
        regex: rule.kind === 'regex' ? safeRegex(rule.pattern) : null,
      }));
    this.#regions = [...new Set(this.#rules.flatMap((r) => (r.region ? [r.region] : [])))].sort();
  }

  /** The first rule that holds for the row, if any. */
  first(q: RuleQuery): MappingRule | undefined {
    const category = textKey(q.category ?? '');
    const path = this.#regions.length > 0 ? regionPath(q.region) : [];
    for (const r of this.#rules) {
      const value = q[r.rule.field];
      if (!value || (r.category !== null && category !== r.category) || (r.region !== null && !path.includes(r.region))) continue;
      if (holds(r.rule, value, r.exact, r.regex)) return r.rule;
    }
    return undefined;
  }

  /**
   * The rule regions that hold for rows of `region` ('' when no rule is scoped to a region): rows
   * whose regions give the same list are decided by the same rules.
   */
  regionsFor(region: string | undefined): string {
    if (this.#regions.length === 0) return '';
    const path = regionPath(region);
    return this.#regions.filter((r) => path.includes(r)).join(',');
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

function holds(r: MappingRule, value: string, exact: string | null, re: RegExp | null): boolean {
  switch (r.kind) {
    case 'exact':
      return textKey(value) === exact;
    case 'contains': {
      const have = new Set(words(value));
      return words(r.pattern).every((w) => have.has(w));
    }
    case 'regex':
      return re?.test(value) ?? false;
  }
}
