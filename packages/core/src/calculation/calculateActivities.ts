import { CoreError } from '../errors.ts';
import type { EmissionFactor, Scope } from '../factors/emissionFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import type { ActivityAttributes } from '../activities/activityRecord.ts';
import { consultsCategory, type MatchEngine } from '../matching/engine.ts';
import { categoryProfileKey, type CategoryProfile } from '../matching/categoryProfile.ts';
import type { MappingRule, MatchOutcome, MatchTarget } from '../matching/types.ts';
import { AIR_TRAVEL_KEY, AIR_TRAVEL_TYPES, expandAirTravel, type RadiativeForcing } from '../methods/airTravel.ts';
import type { ConversionStep, EconomicTables } from '../spend/spendConversion.ts';
import { findUnit } from '../units/convertUnit.ts';
import { FactorCatalogue, matchFactorInSets, type FactorMatch, type UnmatchedReason } from './matchFactor.ts';
import { multiplyScaled, parseScaled, productString, scaledOf, type Scaled } from './exactProduct.ts';
import { prepareFactor, type PreparedFactor } from './prepareFactor.ts';

export interface ActivityInput {
  /** Activity id as a decimal string (bigint in the store). */
  id: string;
  activityType: string;
  quantity: string;
  unit: string;
  /** Where (entity country or finer region) and when (reporting year), for factor resolution. */
  region?: string | undefined;
  year?: number | undefined;
  supplier?: string | null | undefined;
  /** Free text of the line: what matching reads when the row names no factor key. */
  description?: string | null | undefined;
  account?: string | null | undefined;
  category?: string | null | undefined;
  /** Spend of the line, used against spend-based factors when the quantity is not money. */
  amount?: string | null | undefined;
  currency?: string | null | undefined;
  attributes?: ActivityAttributes | null | undefined;
}

export interface CalculationOptions {
  /** Air travel: report the figure with or without radiative forcing (both are kept). */
  radiativeForcing?: RadiativeForcing;
  /** Matched rows below this confidence are held for review, not calculated (default: the engine's auto-accept threshold). */
  matchThreshold?: number;
  /**
   * Whether the run's matching engine uses Tally's shipped labelled purchase lines (the code prior
   * and the example lines, codePrior.ts and examples.ts); false: the catalogues and the
   * organisation's own rules alone. Read where the engine is built (default true).
   */
  shippedLabels?: boolean;
}

/** Activity types that ask the matching engine to choose the factor from the row's text. */
export const MATCHED_ACTIVITY_TYPES: ReadonlySet<string> = new Set(['match', 'spend', 'purchase']);

/** What the calculation needs besides plain data: the matching engine (built once per thread). */
export interface CalculationDeps {
  matcher?: MatchEngine | undefined;
  /**
   * What one calculation context (the same factors, sets, GWP sets, economics, options and
   * matcher) keeps between its batches: a run's chunks then resolve each distinct row once per
   * thread, not once per chunk. Give the same cache only to calls with the same context.
   */
  cache?: CalculationCache | undefined;
}

/** See CalculationDeps.cache. */
export interface CalculationCache {
  catalogues?: FactorCatalogue[];
  prepared: Map<string, PreparedFactor>;
  scaledFactors: Map<PreparedFactor, { co2e: Scaled; gases: [string, Scaled][] }>;
  multipliers: Map<string, Scaled>;
  resolutions: Map<string, Resolution>;
}

/** Distinct rows a cache remembers before it starts afresh (a resolution holds its match, notes and factor). */
const MAX_CACHED_RESOLUTIONS = 100_000;

export function createCalculationCache(): CalculationCache {
  return { prepared: new Map(), scaledFactors: new Map(), multipliers: new Map(), resolutions: new Map() };
}

export interface CalculationInput {
  activities: ActivityInput[];
  /** The factors of the run's factor sets that this batch may need. */
  factors: EmissionFactor[];
  /** The run's factor sets in priority order (the organisation's own first); default: as the factors come. */
  factorSetIds?: string[] | undefined;
  gwpSetId: string;
  /** The run's GWP set and every set a factor names as its basis. */
  gwpSets: GwpSet[];
  /** Exchange rates and price indices for spend-based factors. */
  economics?: EconomicTables | undefined;
  options?: CalculationOptions | undefined;
  /** What the thread builds its matching engine from (plain data; the engine is cached per thread). */
  matching?: { targets: MatchTarget[]; rules?: MappingRule[] } | undefined;
  /**
   * The run's category profiles by activity category (categoryProfile.ts), for rows matched by
   * text. Not part of what a cache's context is: a row's cached resolution is keyed by its
   * profile's content, so runs whose profiles differ share one context and its cache.
   */
  categoryProfiles?: ReadonlyMap<string, CategoryProfile> | undefined;
}

export interface CalculatedResult {
  activityId: string;
  status: 'calculated';
  factorId: string;
  factorSetId: string;
  factorSourceRef: string;
  scope: Scope | null;
  category: string;
  unitFrom: string;
  unitTo: string;
  unitMultiplier: string;
  unitAssumption: string | null;
  /** Each step of a multi-step conversion (spend: exchange rate, price index), null otherwise. */
  conversionSteps: ConversionStep[] | null;
  /** The method that chose the factor key (air-travel), null for a row naming its factor. */
  method: string | null;
  /** CO2e of every variant the source publishes (with_rf, without_rf), null when there is one. */
  co2eVariants: Record<string, string> | null;
  /** How the factor key was chosen from the row's text, when it was (method, confidence, alternatives, evidence). */
  match: MatchOutcome | null;
  /** How the factor was chosen among the key's regions and years. */
  resolution: string;
  gwpSetId: string;
  co2eMethod: PreparedFactor['co2eMethod'];
  co2eKg: string;
  /** kg of each gas emitted (mass, not CO2e). */
  gasKg: Record<string, string>;
  /** Results of one call (or one cache) with the same token have the same lineage: every field but the activity and the numbers. */
  lineageToken?: object;
}

export interface UnmatchedResult {
  activityId: string;
  status: 'unmatched' | 'failed';
  reason: string;
  detail: string;
  gwpSetId: string;
  /** For rows the engine matched: its proposal, kept for the review queue. */
  match?: MatchOutcome | null;
  /** As on CalculatedResult. */
  lineageToken?: object;
}

export type ActivityResult = CalculatedResult | UnmatchedResult;

/**
 * Calculates a batch. Pure and deterministic: results depend only on the inputs, each value is
 * rounded once (half-even, RESULT_DP places), so sums of results do not depend on batch order.
 */
export function calculateActivities(input: CalculationInput, deps: CalculationDeps = {}): ActivityResult[] {
  const sets = new Map(input.gwpSets.map((s) => [s.id, s]));
  const gwp = sets.get(input.gwpSetId);
  if (!gwp) throw new CoreError('GWP.UNKNOWN_SET', `GWP set "${input.gwpSetId}" is not loaded`, { gwpSetId: input.gwpSetId });
  // Everything below is kept per context when the caller gives a cache, else per batch.
  const cache = deps.cache ?? createCalculationCache();
  const catalogues = (cache.catalogues ??= cataloguesInPriority(input.factors, input.factorSetIds));
  const has = (key: string) => catalogues.some((c) => c.forKey(key).length > 0);
  const rf = input.options?.radiativeForcing ?? 'with';
  const threshold = input.options?.matchThreshold ?? deps.matcher?.autoAcceptThreshold ?? 1;
  const prepared = cache.prepared;
  const prepare = (f: EmissionFactor): PreparedFactor => {
    let p = prepared.get(f.id);
    if (!p) prepared.set(f.id, (p = prepareFactor(f, gwp, sets)));
    return p;
  };
  // Rows repeat: resolve each distinct (type, unit, region, year, supplier, fields) once.
  const resolutions = cache.resolutions;
  if (resolutions.size > MAX_CACHED_RESOLUTIONS) resolutions.clear();
  // The factors' and conversions' values as scaled integers, once.
  const scaledFactors = cache.scaledFactors;
  const scaledFactor = (p: PreparedFactor) => {
    let s = scaledFactors.get(p);
    if (!s) scaledFactors.set(p, (s = { co2e: scaledOf(p.co2ePerUnit), gases: Object.entries(p.gasMassPerUnit).map(([g, v]) => [g, scaledOf(v)]) }));
    return s;
  };
  const multipliers = cache.multipliers;
  const scaledMultiplier = (m: string) => {
    let s = multipliers.get(m);
    if (!s) multipliers.set(m, (s = parseScaled(m)));
    return s;
  };

  const profiles = input.categoryProfiles;
  /** The row's resolution, with its category's profile or without (undefined). */
  const resolveRow = (a: ActivityInput, matched: boolean, profile: CategoryProfile | undefined): Resolution => {
    const byKey = (k: string) => resolve({ ...a, activityType: k }, catalogues, has, rf, input.economics);
    if (matched) return resolveByText(a, deps.matcher, threshold, byKey, profile);
    const r = resolve(a, catalogues, has, rf, input.economics);
    // An activity type that names no factor ("diesel", a fuel code, a ledger category) is text too.
    if (deps.matcher && r.match.kind === 'unmatched' && r.match.reason === 'NO_FACTOR_FOR_ACTIVITY_TYPE' && !has(a.activityType)) {
      return resolveByText({ ...a, description: [a.activityType.replace(/[-_/]+/g, ' '), a.description].filter(Boolean).join(' ; ') }, deps.matcher, threshold, byKey, profile);
    }
    return r;
  };
  return input.activities.map((a): ActivityResult => {
    const matched = MATCHED_ACTIVITY_TYPES.has(a.activityType);
    const withText = matched || deps.matcher !== undefined;
    const cached = (k: string, profile: CategoryProfile | undefined): Resolution => {
      let c = resolutions.get(k);
      if (!c) resolutions.set(k, (c = resolveRow(a, matched, profile)));
      return c;
    };
    let rk = resolutionKey(a, withText);
    let r = cached(rk, undefined);
    // Resolved by text with a close lead, the row reads its category's profile: resolved again,
    // once per profile content. Otherwise the text's own resolution holds for any profile.
    const profile = withText && a.category ? profiles?.get(a.category) : undefined;
    let used: CategoryProfile | undefined;
    if (profile && r.text && consultsCategory(r.text.evidence.margin)) {
      rk = `${rk}p${categoryProfileKey(profile)}`;
      used = profile;
      r = cached(rk, profile);
    }
    // Matched to air travel, the row's own distance picks the haul band: resolved per quantity.
    if (r.byQuantity) r = cached(`${rk}q${a.quantity.length}:${a.quantity}`, used);
    const fail = (status: 'unmatched' | 'failed', reason: string, detail: string, lineageToken?: Resolution): UnmatchedResult => ({
      activityId: a.id, status, reason, detail, gwpSetId: gwp.id, ...(r.text ? { match: r.text } : {}), ...(lineageToken ? { lineageToken } : {}),
    });
    // Every row of an unmatched resolution has its lineage; a row that fails on its own data has its own.
    if (r.match.kind === 'unmatched') return fail('unmatched', r.match.reason, r.match.detail, r);
    const match = r.match;
    let p: PreparedFactor;
    const variants: Record<string, string> = {};
    const quantity = r.useAmount ? a.amount! : a.quantity;
    // Exact products on BigInt (exactProduct.ts): the same digits as big.js, without its cost per row.
    let qs: Scaled;
    try {
      p = prepare(match.factor);
      qs = parseScaled(quantity);
      for (const [name, v] of Object.entries(r.variants ?? {})) variants[name] = productString(multiplyScaled(qs, scaledMultiplier(v.conversion.multiplier)), scaledFactor(prepare(v.factor)).co2e);
    } catch (e) {
      if (e instanceof CoreError) return fail('failed', e.code, e.message);
      throw e;
    }
    const q = multiplyScaled(qs, scaledMultiplier(match.conversion.multiplier));
    const sp = scaledFactor(p);
    const gasKg: Record<string, string> = {};
    for (const [g, perUnit] of sp.gases) gasKg[g] = productString(q, perUnit);
    // The lineage's texts once per resolution; a line priced by its spend names its own amount.
    r.resolutionText ??= [...r.notes, match.resolution].join('; ');
    r.assumptionText ??= match.conversion.assumption || null;
    return {
      activityId: a.id,
      status: 'calculated',
      factorId: match.factor.id,
      factorSetId: match.factor.factorSetId,
      factorSourceRef: match.factor.sourceRef,
      scope: match.factor.scope,
      category: match.factor.category,
      unitFrom: match.conversion.from,
      unitTo: match.conversion.to,
      unitMultiplier: match.conversion.multiplier,
      unitAssumption: r.useAmount ? [match.conversion.assumption, `the line's spend (${a.amount} ${a.currency}) used, not its quantity`].filter(Boolean).join('; ') : r.assumptionText,
      conversionSteps: match.conversion.steps ?? null,
      method: r.method,
      co2eVariants: r.variants ? variants : null,
      match: r.text ?? null,
      resolution: r.resolutionText,
      gwpSetId: gwp.id,
      co2eMethod: p.co2eMethod,
      co2eKg: productString(q, sp.co2e),
      gasKg,
      ...(r.useAmount ? {} : { lineageToken: r }),
    };
  });
}

/**
 * What decides a row's resolution, as one string: each part self-delimiting (a string with its
 * length, a number or object tagged), so different rows never share a key.
 */
function resolutionKey(a: ActivityInput, withText: boolean): string {
  const str = (v: string | null | undefined) => (v === null || v === undefined ? '~' : `${v.length}:${v}`);
  let k = `${str(a.activityType)}${str(a.unit)}${str(a.region)}${a.year === undefined ? '~' : `#${a.year}`}${str(a.supplier)}`;
  k += a.attributes === null || a.attributes === undefined ? '~' : `o${str(JSON.stringify(a.attributes))}`;
  k += `${str(a.currency)}${AIR_TRAVEL_TYPES.has(a.activityType) ? `q${str(a.quantity)}` : '~'}`;
  if (withText) k += `t${str(a.description)}${str(a.account)}${str(a.category)}`;
  return k;
}

interface Resolution {
  match: FactorMatch;
  /** The text match that chose the key, for matched rows. */
  text?: MatchOutcome;
  method: string | null;
  notes: string[];
  variants: Record<string, Extract<FactorMatch, { kind: 'exact' }>> | null;
  useAmount: boolean;
  /** Matched by text to air travel: its band depends on the row's distance, so rows of one text are resolved per quantity. */
  byQuantity?: boolean;
  /** The result's resolution and unit assumption texts, made once (rows of a resolution share them). */
  resolutionText?: string;
  assumptionText?: string | null;
}

/**
 * A row that names no factor: the engine chooses the key from its text, once per distinct row. No
 * match, and a match below the threshold, leave the row uncalculated with the engine's proposal
 * kept, so it reaches the review queue instead of the inventory.
 */
function resolveByText(a: ActivityInput, matcher: MatchEngine | undefined, threshold: number, byKey: (key: string) => Resolution, categoryProfile: CategoryProfile | undefined): Resolution {
  const none = (reason: UnmatchedReason, detail: string, text?: MatchOutcome): Resolution => ({ match: { kind: 'unmatched', reason, detail }, method: 'match', notes: [], variants: null, useAmount: false, ...(text ? { text } : {}) });
  if (!matcher) return none('NO_MATCHER', 'this row asks for matching, and no matching engine is loaded');
  // Where the activity took place weighs keys as it chooses among a key's factors (resolve).
  const text = matcher.match({ description: a.description, supplier: a.supplier, account: a.account, category: a.category, unit: a.unit, region: a.attributes?.location ?? a.region, year: a.year, categoryProfile });
  if (text.key === null) return none('NO_MATCH', `no factor fits "${a.description ?? ''}": ${text.evidence.note ?? 'nothing to go on'}`, text);
  if (text.confidence < threshold) return none('NEEDS_REVIEW', `best match ${text.key} (${text.title}) at confidence ${text.confidence}, below ${threshold}: confirm or override it in the review queue`, text);
  const r = byKey(text.key);
  return { ...r, text, method: 'match', notes: [`matched by ${text.method} to ${text.key} at confidence ${text.confidence}`, ...r.notes], ...(text.key === AIR_TRAVEL_KEY ? { byQuantity: true } : {}) };
}

/** One catalogue per factor set, in the run's priority order (sets not named come last). */
function cataloguesInPriority(factors: readonly EmissionFactor[], order: readonly string[] | undefined): FactorCatalogue[] {
  const bySet = new Map<string, EmissionFactor[]>();
  for (const id of order ?? []) bySet.set(id, []);
  for (const f of factors) {
    const list = bySet.get(f.factorSetId);
    if (list) list.push(f);
    else bySet.set(f.factorSetId, [f]);
  }
  return [...bySet.values()].filter((l) => l.length > 0).map((l) => new FactorCatalogue(l));
}

/**
 * Chooses the factor for one distinct activity: a method first (air travel picks its band, class
 * and RF variants), a spend key without its price basis gets the line's basis, then resolution over
 * the sets. A line whose quantity does not fit a spend-based factor falls back to its spend amount.
 */
function resolve(a: ActivityInput, catalogues: readonly FactorCatalogue[], has: (key: string) => boolean, rf: RadiativeForcing, economics: EconomicTables | undefined): Resolution {
  const location = a.attributes?.location ?? a.region;
  const ctx = { region: location, year: a.year, supplier: a.supplier ?? undefined, economics };
  const notes: string[] = [];
  if (a.attributes?.location && a.attributes.location !== a.region) notes.push(`located in ${a.attributes.location}`);

  if (AIR_TRAVEL_TYPES.has(a.activityType)) {
    const x = expandAirTravel({ quantity: a.quantity, unit: a.unit, region: a.region, attributes: a.attributes }, has, rf);
    if (!x.ok) return { match: { kind: 'unmatched', reason: x.reason, detail: x.detail }, method: 'air-travel', notes, variants: null, useAmount: false };
    const e = x.expansion;
    const match = matchFactorInSets(e.key, e.unit, catalogues, ctx);
    let variants: Resolution['variants'] = null;
    if (match.kind === 'exact' && e.variants) {
      variants = {};
      for (const [name, key] of Object.entries(e.variants)) {
        const v = matchFactorInSets(key, e.unit, catalogues, ctx);
        if (v.kind === 'exact') variants[name] = v;
      }
    }
    return { match, method: 'air-travel', notes: [...notes, ...e.notes], variants, useAmount: false };
  }

  let key = a.activityType;
  if (/^naics-2017\/\d{6}$/.test(key)) {
    const basis = a.attributes?.price_basis ?? 'purchaser';
    key = `${key}/${basis}-price`;
    notes.push(`${basis} price factor (${a.attributes?.price_basis ? 'the line\'s price basis' : 'spend taken as invoiced'})`);
  }
  const match = matchFactorInSets(key, a.unit, catalogues, ctx);
  if (match.kind === 'unmatched' && match.reason === 'UNIT_INCOMPATIBLE' && a.amount && a.currency && findUnit(a.currency)?.dimension === 'currency') {
    const bySpend = matchFactorInSets(key, a.currency, catalogues, ctx);
    if (bySpend.kind === 'exact') return { match: bySpend, method: null, notes, variants: null, useAmount: true };
  }
  return { match, method: null, notes, variants: null, useAmount: false };
}

/**
 * The factor keys (exact, and by prefix) an activity type may resolve to, so the worker loads
 * just those factors of the run's sets: a method's whole family, a spend key's price variants.
 */
export function factorKeysFor(activityType: string): { keys: string[]; prefixes: string[] } {
  if (AIR_TRAVEL_TYPES.has(activityType)) return { keys: [], prefixes: ['business-travel-air/flights/', 'business-travel-and-commuting/air-travel-'] };
  if (/^naics-2017\/\d{6}$/.test(activityType)) return { keys: [`${activityType}/purchaser-price`, `${activityType}/producer-price`], prefixes: [] };
  return { keys: [activityType], prefixes: [] };
}
