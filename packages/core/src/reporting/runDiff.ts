import { Big, RESULT_DP, type Decimal } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { prepareFactor, type PreparedFactor } from '../calculation/prepareFactor.ts';
import { findUnit } from '../units/convertUnit.ts';

/**
 * "Why did it change": the difference between two runs of one organisation and period, attributed
 * per activity to four mutually exclusive effects that add up exactly to the difference.
 *
 * Sequential substitution, in this fixed order (EFFECT_ORDER), one activity at a time, each step
 * priced with the engine's own arithmetic (prepareFactor, quantity x unit multiplier x CO2e per
 * unit, rounded once to 12 places half-even):
 *
 *   c0 = the "from" run's CO2e for the activity (0 when it is not calculated there)
 *   c1 = the activity's current quantity priced with the "from" run's mapping, factor, GWP set and
 *        method (0 when the "from" run did not calculate it)              activity  = c1 - c0
 *   c2 = c3 when the "to" run maps the activity to another factor key or unit (or only one run
 *        calculates it), else c1                                           mapping   = c2 - c1
 *   c3 = the "to" run's mapping and factor priced under the "from" run's GWP set and radiative-
 *        forcing option                                                    factor    = c3 - c2
 *   c3' = the "to" run's mapping, factor, GWP set and method (its own figure at today's quantity)
 *                                                                          method    = c3' - c3
 *   c4 = the "to" run's CO2e; c4 - c3' (the activity changed after the "to" run) is activity too.
 *
 * So the sum of the effects telescopes to c4 - c0 whatever the rounding of the steps. An activity
 * in one run only is all activity effect (added or removed). A change of factor key carries its
 * factor's value with it (mapping effect): the factor effect is a new value of the same key (a
 * new edition, a corrected factor). A row calculated in one run only (no factor in the other) is a
 * mapping effect. Limitation: when the GWP set and the radiative-forcing option both change, an
 * air-travel row's radiative-forcing part is counted with the factor effect.
 */
export const EFFECT_ORDER = ['activity', 'mapping', 'factor', 'method'] as const;
export type Effect = (typeof EFFECT_ORDER)[number];
export type Effects = Record<Effect, string>;

export const DIFF_METHOD =
  'sequential substitution per activity, in the order activity (quantity at the old mapping, factor and GWP set; activities added or removed), mapping (another factor key or unit, or calculated in one run only), factor (the same key, another value or edition), method (GWP set, radiative forcing option); each step priced with the engine\'s arithmetic, so the effects add up exactly to the difference';

/** One run's result for one activity, with its lineage. */
export interface DiffResultLine {
  status: string;
  /** kg CO2e of the row (unweighted), null when not calculated. */
  co2eKg: string | null;
  scope: number | null;
  category: string | null;
  factorId: string | null;
  factorKey: string | null;
  factorSetId: string | null;
  /** Source and edition of the factor's set. */
  factorSource: string | null;
  unitFrom: string | null;
  unitTo: string | null;
  unitMultiplier: string | null;
  /** How the factor key was chosen: direct (the row named it), rule, code, text... */
  matchMethod: string;
  matchRuleId: string | null;
  /** The method that expanded the activity (air-travel), null when none. */
  method: string | null;
  gwpSetId: string;
  co2eMethod: string | null;
  co2eVariants: Record<string, string> | null;
  reason: string | null;
}

/** The activity as it stands: its quantity and, for spend lines, its amount. */
export interface DiffActivityRecord {
  quantity: string;
  unit: string;
  amount: string | null;
  currency: string | null;
}

export interface DiffActivity<L = unknown> {
  activityId: string;
  /** The consolidation weight (1, or the entity's ownership share under equity share). */
  weight: string;
  /** null when the activity row no longer exists (only possible for one-sided lines). */
  record: DiffActivityRecord | null;
  from: DiffResultLine | null;
  to: DiffResultLine | null;
  /** Passed through to the output line (entity, activity type, file line...). */
  label?: L;
}

export interface DiffRunSide {
  runId: string;
  gwpSetId: string;
  radiativeForcing: 'with' | 'without';
}

export interface RunDiffInput<L = unknown> {
  from: DiffRunSide;
  to: DiffRunSide;
  activities: Iterable<DiffActivity<L>>;
  /** Every factor either run used, by id. */
  factors: ReadonlyMap<string, EmissionFactor>;
  gwpSets: readonly GwpSet[];
}

export interface DiffDrivers {
  activity: 'added' | 'removed' | 'quantity' | null;
  mapping: ('factor_key' | 'unit' | 'match_method' | 'match_rule' | 'calculated_in_one_run')[];
  factor: boolean;
  method: ('gwp_set' | 'radiative_forcing')[];
}

export interface RunDiffLine<L = unknown> {
  activityId: string;
  scope: { from: number | null; to: number | null };
  co2eKg: { from: string; to: string; change: string };
  effects: Effects;
  drivers: DiffDrivers;
  from: DiffResultLine | null;
  to: DiffResultLine | null;
  label?: L;
}

export interface ScopeDiff {
  scope: number | null;
  from: string;
  to: string;
  change: string;
  effects: Effects;
}

export interface RunDiff<L = unknown> {
  method: string;
  order: readonly Effect[];
  /** Scopes 1-3 (the inventory total); rows outside the scopes are in byScope under null. */
  totals: { from: string; to: string; change: string; effects: Effects };
  byScope: ScopeDiff[];
  activities: { total: number; added: number; removed: number; changed: number; unchanged: number };
  /** Every activity whose figure or lineage moved, largest |change| first (then by activity id). */
  lines: RunDiffLine<L>[];
}

const RF_SUFFIX = /\/with(out)?-rf$/;
const zero = () => new Big(0);
const round = (d: Decimal) => d.round(RESULT_DP, Big.roundHalfEven);
const calculated = (l: DiffResultLine | null): l is DiffResultLine & { co2eKg: string } => l !== null && l.status === 'calculated' && l.co2eKg !== null;

/** The quantity a result multiplied: the activity's spend amount when its factor was priced per currency unit and the activity is not measured in money, else its quantity. */
export function quantityPriced(record: DiffActivityRecord, unitFrom: string | null): string {
  if (record.amount !== null && record.currency !== null && unitFrom !== null) {
    const from = findUnit(unitFrom);
    const own = findUnit(record.unit);
    if (from?.dimension === 'currency' && own?.dimension !== 'currency') return record.amount;
  }
  return record.quantity;
}

class Pricer {
  private readonly gwp: Map<string, GwpSet>;
  private readonly prepared = new Map<string, PreparedFactor>();
  private readonly factors: ReadonlyMap<string, EmissionFactor>;
  constructor(factors: ReadonlyMap<string, EmissionFactor>, gwpSets: readonly GwpSet[]) {
    this.factors = factors;
    this.gwp = new Map(gwpSets.map((s) => [s.id, s]));
  }
  /** kg CO2e of quantity x multiplier of the factor under the GWP set, as the engine computes it. */
  price(line: DiffResultLine, quantity: string, gwpSetId: string): Decimal {
    const key = `${line.factorId}\u0000${gwpSetId}`;
    let p = this.prepared.get(key);
    if (!p) {
      const f = line.factorId === null ? undefined : this.factors.get(line.factorId);
      if (!f) throw new CoreError('DIFF.FACTOR_MISSING', `factor ${line.factorId} of a run's result is not loaded`, { factorId: line.factorId });
      const gwp = this.gwp.get(gwpSetId);
      if (!gwp) throw new CoreError('GWP.UNKNOWN_SET', `GWP set "${gwpSetId}" is not loaded`, { gwpSetId });
      this.prepared.set(key, (p = prepareFactor(f, gwp, this.gwp)));
    }
    return round(new Big(quantity).times(line.unitMultiplier ?? '1').times(p.co2ePerUnit));
  }
}

function emptyEffects(): Record<Effect, Decimal> {
  return { activity: zero(), mapping: zero(), factor: zero(), method: zero() };
}
const show = (e: Record<Effect, Decimal>): Effects => ({ activity: e.activity.toFixed(), mapping: e.mapping.toFixed(), factor: e.factor.toFixed(), method: e.method.toFixed() });

/** The per-scope contributions of one activity: the "from" side's scope takes the steps before the mapping moves it, the "to" side's scope the rest. */
interface Contribution {
  scope: number | null;
  from: Decimal;
  to: Decimal;
  effects: Record<Effect, Decimal>;
}

/** Attributes the difference between two runs (see the module comment). Pure. */
export function attributeRunDiff<L>(input: RunDiffInput<L>): RunDiff<L> {
  const pricer = new Pricer(input.factors, input.gwpSets);
  const rfChanged = input.from.radiativeForcing !== input.to.radiativeForcing;
  const scopes = new Map<number | null, Contribution>();
  const counts = { total: 0, added: 0, removed: 0, changed: 0, unchanged: 0 };
  const lines: (RunDiffLine<L> & { abs: Decimal })[] = [];

  const add = (scope: number | null, from: Decimal, to: Decimal, effects: Partial<Record<Effect, Decimal>>) => {
    let s = scopes.get(scope);
    if (!s) scopes.set(scope, (s = { scope, from: zero(), to: zero(), effects: emptyEffects() }));
    s.from = s.from.plus(from);
    s.to = s.to.plus(to);
    for (const k of EFFECT_ORDER) if (effects[k]) s.effects[k] = s.effects[k].plus(effects[k]);
  };

  for (const a of input.activities) {
    counts.total++;
    const w = new Big(a.weight);
    const A = a.from;
    const B = a.to;
    const c0 = calculated(A) ? new Big(A.co2eKg) : zero();
    const c4 = calculated(B) ? new Big(B.co2eKg) : zero();
    const eff = emptyEffects();
    const drivers: DiffDrivers = { activity: null, mapping: [], factor: false, method: [] };

    if (!A || !B) {
      drivers.activity = A ? 'removed' : 'added';
      eff.activity = c4.minus(c0);
      if (A) {
        counts.removed++;
        add(A.scope, c0.times(w), zero(), { activity: c0.neg().times(w) });
      } else {
        counts.added++;
        if (B) add(B.scope, zero(), c4.times(w), { activity: c4.times(w) });
      }
    } else {
      if (!a.record) throw new CoreError('DIFF.ACTIVITY_MISSING', `activity ${a.activityId} is in both runs but its row is not loaded`, { activityId: a.activityId });
      const qA = calculated(A) ? quantityPriced(a.record, A.unitFrom) : null;
      const qB = calculated(B) ? quantityPriced(a.record, B.unitFrom) : null;
      const c1 = calculated(A) ? pricer.price(A, qA!, A.gwpSetId) : zero();
      let c2: Decimal;
      let c3: Decimal;
      let c3b: Decimal;
      const keyOf = (l: DiffResultLine) => (l.factorKey ?? '').replace(RF_SUFFIX, '');
      if (calculated(A) !== calculated(B)) drivers.mapping.push('calculated_in_one_run');
      if (calculated(A) && calculated(B)) {
        if (keyOf(A) !== keyOf(B)) drivers.mapping.push('factor_key');
        if (A.unitTo !== B.unitTo) drivers.mapping.push('unit');
      }
      if (A.matchMethod !== B.matchMethod) drivers.mapping.push('match_method');
      if ((A.matchRuleId ?? null) !== (B.matchRuleId ?? null)) drivers.mapping.push('match_rule');
      const keyChanged = drivers.mapping.some((d) => d === 'factor_key' || d === 'unit' || d === 'calculated_in_one_run');
      if (calculated(B)) {
        c3b = pricer.price(B, qB!, B.gwpSetId);
        const variant = rfChanged && B.co2eVariants ? B.co2eVariants[`${input.from.radiativeForcing}_rf`] : undefined;
        if (A.gwpSetId !== B.gwpSetId) c3 = pricer.price(B, qB!, A.gwpSetId);
        else if (variant !== undefined) c3 = new Big(variant);
        else c3 = c3b;
        c2 = keyChanged ? c3 : c1;
      } else {
        c2 = zero();
        c3 = zero();
        c3b = zero();
      }
      eff.activity = c1.minus(c0).plus(c4.minus(c3b));
      eff.mapping = c2.minus(c1);
      eff.factor = c3.minus(c2);
      eff.method = c3b.minus(c3);
      if (!eff.activity.eq(0)) drivers.activity = 'quantity';
      // Another set (edition), or another factor of the very same key; the radiative-forcing twin of a flight key is a method change.
      drivers.factor = calculated(A) && calculated(B) && !keyChanged && (A.factorSetId !== B.factorSetId || (A.factorKey === B.factorKey && A.factorId !== B.factorId));
      if (A.gwpSetId !== B.gwpSetId) drivers.method.push('gwp_set');
      if (rfChanged && (A.co2eVariants || B.co2eVariants)) drivers.method.push('radiative_forcing');
      // The "from" scope takes c0 -> c1 -> (c2 unless the mapping moved the row); the "to" scope the rest.
      if (A.scope === B.scope || !calculated(A) || !calculated(B)) {
        const scope = calculated(A) ? A.scope : B.scope;
        add(scope, c0.times(w), c4.times(w), { activity: eff.activity.times(w), mapping: eff.mapping.times(w), factor: eff.factor.times(w), method: eff.method.times(w) });
      } else {
        add(A.scope, c0.times(w), zero(), { activity: c1.minus(c0).times(w), mapping: c1.neg().times(w) });
        add(B.scope, zero(), c4.times(w), { activity: c4.minus(c3b).times(w), mapping: c2.times(w), factor: eff.factor.times(w), method: eff.method.times(w) });
      }
    }

    const change = c4.minus(c0).times(w);
    const moved = !change.eq(0) || EFFECT_ORDER.some((k) => !eff[k].eq(0)) || drivers.activity !== null || drivers.mapping.length > 0 || drivers.factor || drivers.method.length > 0;
    if (!moved) {
      counts.unchanged++;
      continue;
    }
    counts.changed++;
    const weighted = { activity: eff.activity.times(w), mapping: eff.mapping.times(w), factor: eff.factor.times(w), method: eff.method.times(w) };
    lines.push({
      activityId: a.activityId,
      scope: { from: A?.scope ?? null, to: B?.scope ?? null },
      co2eKg: { from: c0.times(w).toFixed(), to: c4.times(w).toFixed(), change: change.toFixed() },
      effects: show(weighted),
      drivers,
      from: A,
      to: B,
      ...(a.label !== undefined ? { label: a.label } : {}),
      abs: change.abs(),
    });
  }
  counts.changed -= counts.added + counts.removed;

  lines.sort((x, y) => y.abs.cmp(x.abs) || cmpId(x.activityId, y.activityId));
  const byScope = [...scopes.values()]
    .sort((x, y) => (x.scope ?? 99) - (y.scope ?? 99))
    .map((s) => ({ scope: s.scope, from: s.from.toFixed(), to: s.to.toFixed(), change: s.to.minus(s.from).toFixed(), effects: show(s.effects) }));
  const inScopes = [...scopes.values()].filter((s) => s.scope !== null);
  const tot = emptyEffects();
  let from = zero();
  let to = zero();
  for (const s of inScopes) {
    from = from.plus(s.from);
    to = to.plus(s.to);
    for (const k of EFFECT_ORDER) tot[k] = tot[k].plus(s.effects[k]);
  }
  return {
    method: DIFF_METHOD,
    order: EFFECT_ORDER,
    totals: { from: from.toFixed(), to: to.toFixed(), change: to.minus(from).toFixed(), effects: show(tot) },
    byScope,
    activities: counts,
    lines: lines.map(({ abs: _abs, ...l }) => l),
  };
}

/** Activity ids are bigint strings: numeric order. */
function cmpId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
