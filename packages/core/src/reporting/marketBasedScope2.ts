import { Big, RESULT_DP, type Decimal } from '../decimal.ts';
import type { ContractualInstrument } from '../factors/emissionFactor.ts';
import { findUnit } from '../units/convertUnit.ts';
import { cmpFixed, fixed, fixedFromBig, FIXED_ZERO, isPositive, minus, plus, times, toBig, type Fixed } from '../fixedDecimal.ts';

/**
 * Market-based Scope 2 (GHG Protocol Scope 2 Guidance, chapter 6): the same consumption as the
 * location-based figure, with the organisation's contractual instruments applied in this order:
 *   1. a supplier-specific factor of the line's supplier covers the whole line;
 *   2. energy attribute certificates and contracts (EAC, PPA, green tariff...) cover consumption of
 *      their market region and validity period, up to their MWh, each MWh once;
 *   3. what is left takes the residual-mix factor of its region (the latest year not after it);
 *   4. without a residual mix, the location-based figure stands, reported as a fallback.
 * Pure and deterministic: the lines and instruments are sorted before allocation, so both report
 * backends, fed the same aggregates, give the same digits.
 */

export type EnergyCarrier = 'electricity' | 'heat_steam_cooling';

/** Electricity unless the category names heat, steam or cooling (a REGO never covers a steam bill). */
export function energyCarrierOf(category: string): EnergyCarrier {
  return /heat|steam|cool/i.test(category) ? 'heat_steam_cooling' : 'electricity';
}

/** One group of calculated Scope 2 rows as a backend aggregates them. */
export interface Scope2ConsumptionRow {
  entityCode: string;
  /** The consolidation weight in percent: the entity's ownership under equity share, else 100. */
  weightPct: string;
  /** Where the energy was used: the activity's location, else its entity's country. */
  region: string;
  /** YYYY-MM of the activities' start. */
  month: string;
  /** '' when the activities name no supplier. */
  supplier: string;
  category: string;
  /** The activities' unit and the sum of their quantities in it. */
  unit: string;
  quantity: string;
  /** Location-based kg CO2e of the rows, at 100% (the weight is applied after allocation). */
  locationCo2eKg: string;
  activities: number;
}

export type MarketFactorKind = 'supplier_specific' | 'contractual_instrument' | 'residual_mix';

/** An organisation factor of the run's sets that market-based Scope 2 may apply. */
export interface MarketFactor {
  id: string;
  name: string;
  kind: MarketFactorKind;
  category: string;
  region: string;
  year: number;
  supplier?: string | undefined;
  /** kg CO2e per kWh under the run's GWP set (see marketFactorPerKWh). */
  co2ePerKWh: string;
  instrument?: ContractualInstrument | undefined;
}

export interface MarketBasedLine {
  kind: MarketFactorKind | 'location_fallback';
  /** null for the location-based fallback. */
  factorId: string | null;
  name: string;
  region: string;
  instrumentType?: string;
  trackingSystem?: string;
  /** Consumption this source covers, consolidated like CO2e (× the entity's weight). */
  kWh: string;
  co2eKg: string;
  /** Certificates and contracts: MWh held, used and left unused (as held, not weighted). */
  volumeMWh?: string;
  usedMWh?: string;
  unusedMWh?: string;
}

export interface MarketBasedScope2 {
  co2eKg: string;
  activities: number;
  /** Consolidated kWh of the Scope 2 rows measured in energy, and how each part was valued. */
  consumptionKWh: string;
  supplierSpecificKWh: string;
  coveredKWh: string;
  residualKWh: string;
  fallbackToLocationKWh: string;
  /** Scope 2 rows not measured in energy (no kWh to allocate): their location-based CO2e stands. */
  notInEnergyUnits: { co2eKg: string; activities: number };
  /** Certificate MWh valid for the period but not matched to consumption. */
  unusedCertificatesMWh: string;
  byInstrument: MarketBasedLine[];
  /** Organisation factors of the run that could not be applied, and why. */
  ignoredFactors: { factorId: string; reason: string }[];
}

const kWhPerUnitMemo = new Map<string, Decimal | null>();
/** kWh in one unit of an energy unit, or null for any other dimension. CV basis is irrelevant to electricity. */
export function kWhPerUnit(unit: string): Decimal | null {
  let k = kWhPerUnitMemo.get(unit);
  if (k === undefined) {
    const u = findUnit(unit);
    k = u?.dimension === 'energy' ? new Big(u.toBase).div('3.6') : null;
    if (kWhPerUnitMemo.size < 1000) kWhPerUnitMemo.set(unit, k);
  }
  return k;
}

/** A factor's kg CO2e per kWh from its kg CO2e per own unit; null when its unit is not energy. */
export function marketFactorPerKWh(co2ePerUnit: string | Decimal, unit: string): string | null {
  const k = kWhPerUnit(unit);
  return k === null ? null : new Big(co2ePerUnit).div(k).toFixed();
}

interface Line {
  key: string;
  entityCode: string;
  /** The consolidation weight in percent (100 at full): weighted sums stay in percent until the output. */
  weight: Fixed;
  weightKey: string;
  region: string;
  month: string;
  year: number;
  firstDay: string;
  lastDay: string;
  supplier: string;
  carrier: EnergyCarrier;
  kWh: Fixed;
  locationCo2e: Fixed;
  remaining: Fixed;
}

/**
 * A sum of amounts each weighted by its line's consolidation weight (percent), kept as one plain
 * sum per weight and multiplied once at the end: exact (multiplication distributes over the exact
 * sums), and a report's tens of thousands of lines share a handful of weights.
 */
class WeightedSum {
  private readonly byWeight = new Map<string, { weight: Fixed; sum: Fixed }>();
  add(weightKey: string, weight: Fixed, x: Fixed): void {
    const b = this.byWeight.get(weightKey);
    if (b) b.sum = plus(b.sum, x);
    else this.byWeight.set(weightKey, { weight, sum: x });
  }
  addAll(other: WeightedSum): void {
    for (const [k, b] of other.byWeight) this.add(k, b.weight, b.sum);
  }
  /** The weighted total, in percent. */
  pct(): Decimal {
    let t = FIXED_ZERO;
    for (const b of this.byWeight.values()) t = plus(t, times(b.sum, b.weight));
    return toBig(t);
  }
}

interface Part {
  line: MarketBasedLine;
  /** kWh and kg CO2e, weighted. */
  kWh: WeightedSum;
  co2e: WeightedSum;
  usedKWh: Fixed;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const norm = (s: string | undefined) => (s ?? '').trim().toLowerCase();
const out = (d: Decimal) => d.round(RESULT_DP, Big.roundHalfEven).toFixed();
/** A sum weighted in percent, as the share it is: x 0.01 is exact (a division would round). */
const outPct = (d: Decimal) => out(d.times('0.01'));
const THOUSAND: Fixed = { n: 1000n, s: 0 };

function monthBounds(month: string): { year: number; firstDay: string; lastDay: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { year: y, firstDay: `${month}-01`, lastDay: `${month}-${String(last).padStart(2, '0')}` };
}

/** f(key) computed once per distinct key: a report has many lines and few distinct months, units, regions. */
function memo<T>(f: (key: string) => T): (key: string) => T {
  const m = new Map<string, T>();
  return (key) => {
    if (m.has(key)) return m.get(key)!;
    const v = f(key);
    m.set(key, v);
    return v;
  };
}

function* chain<T>(...its: Iterable<T>[]): Generator<T> {
  for (const it of its) yield* it;
}

/** The factor of the line's region (exact before GLOBAL when allowed) with the latest year not after the line's. */
function latestFor(factors: readonly MarketFactor[], line: Pick<Line, 'region' | 'year' | 'carrier'>, allowGlobal: boolean): MarketFactor | undefined {
  const rank = (f: MarketFactor) => (f.region === line.region ? 0 : 1);
  return factors
    .filter((f) => f.year <= line.year && (f.region === line.region || (allowGlobal && f.region === 'GLOBAL')) && energyCarrierOf(f.category) === line.carrier)
    .sort((a, b) => rank(a) - rank(b) || b.year - a.year || cmp(a.id, b.id))[0];
}

/**
 * Exact throughout: sums and products of the lines in BigInt fixed point (fixedDecimal.ts), the
 * few divisions and the rounding of the output in big.js, as everywhere else in the engine.
 */
export function allocateMarketBasedScope2(rows: readonly Scope2ConsumptionRow[], factors: readonly MarketFactor[]): MarketBasedScope2 {
  const ignored: MarketBasedScope2['ignoredFactors'] = [];
  const supplierFactors = factors.filter((f) => f.kind === 'supplier_specific');
  for (const f of supplierFactors) if (!f.supplier) ignored.push({ factorId: f.id, reason: 'a supplier-specific factor without a supplier' });
  const factorsOfSupplier = memo((supplier) => supplierFactors.filter((s) => s.supplier && norm(s.supplier) === supplier));
  // Certificates and contracts. Instruments allocated to named entities or a supplier go first, so
  // a general certificate never takes the consumption they were bought for; then the earliest expiring.
  const instruments = factors
    .filter((f) => f.kind === 'contractual_instrument')
    .filter((f) => {
      if (!f.instrument) ignored.push({ factorId: f.id, reason: 'a contractual instrument without its instrument (validity, volume)' });
      else if (f.instrument.volumeMWh === undefined) ignored.push({ factorId: f.id, reason: 'no volumeMWh: a certificate covers only the MWh it states' });
      else return true;
      return false;
    })
    .sort((a, b) => {
      const specific = (f: MarketFactor) => (f.instrument!.entityCodes?.length ? 0 : 2) + (f.supplier ? 0 : 1);
      return specific(a) - specific(b) || cmp(a.instrument!.validTo, b.instrument!.validTo) || cmp(a.id, b.id);
    });
  // Per carrier, the regions some certificate is for.
  const instrumentRegions = new Map<EnergyCarrier, Set<string>>();
  for (const f of instruments) {
    const c = energyCarrierOf(f.category);
    instrumentRegions.set(c, (instrumentRegions.get(c) ?? new Set()).add(f.region));
  }

  // Lines at 100%: one per entity, weight, region, month, supplier and carrier, for the rows a
  // supplier factor or a certificate may reach (their order and parts matter). The rest can only
  // take a residual mix or stand at their location figure: summed per region, month, carrier and
  // weight (no entity, no supplier), exact, as the rest of each whole line would be.
  const lines = new Map<string, Line>();
  const unreached = new Map<string, Line>();
  const notInEnergy = new WeightedSum();
  let notInEnergyActivities = 0;
  let activities = 0;
  // Each weight's value and one canonical text ('60', never '60.0000') for keys.
  const weightOf = memo((pct) => {
    const value = new Big(pct);
    return { value: fixedFromBig(value), text: value.toFixed() };
  });
  const perUnitOf = memo((unit) => {
    const k = kWhPerUnit(unit);
    return k === null ? null : { value: fixedFromBig(k), one: k.eq(1) };
  });
  const boundsOf = memo(monthBounds);
  const carrierOf = memo(energyCarrierOf);
  for (const r of rows) {
    activities += r.activities;
    const perUnit = perUnitOf(r.unit);
    const weight = weightOf(r.weightPct);
    if (perUnit === null) {
      notInEnergy.add(weight.text, weight.value, fixed(r.locationCo2eKg));
      notInEnergyActivities += r.activities;
      continue;
    }
    const carrier = carrierOf(r.category);
    const quantity = fixed(r.quantity);
    const kWh = perUnit.one ? quantity : times(quantity, perUnit.value);
    const locationCo2e = fixed(r.locationCo2eKg);
    const reached = instrumentRegions.get(carrier)?.has(r.region) === true || (r.supplier !== '' && supplierFactors.length > 0 && factorsOfSupplier(norm(r.supplier)).length > 0);
    // Lines are allocated in the order of this key; NUL never occurs in these texts.
    const key = reached ? `${r.entityCode}\u0000${weight.text}\u0000${r.region}\u0000${r.month}\u0000${r.supplier}\u0000${carrier}` : `${r.region}\u0000${r.month}\u0000${carrier}\u0000${weight.text}`;
    const into = reached ? lines : unreached;
    const cur = into.get(key);
    if (cur) {
      cur.kWh = plus(cur.kWh, kWh);
      cur.remaining = cur.kWh;
      cur.locationCo2e = plus(cur.locationCo2e, locationCo2e);
      continue;
    }
    const b = boundsOf(r.month);
    into.set(key, {
      key, entityCode: reached ? r.entityCode : '', weight: weight.value, weightKey: weight.text, region: r.region, month: r.month, year: b.year, firstDay: b.firstDay, lastDay: b.lastDay,
      supplier: reached ? r.supplier : '', carrier, kWh, locationCo2e, remaining: kWh,
    });
  }

  const parts = new Map<string, Part>();
  const part = (id: string, make: () => MarketBasedLine) => {
    let p = parts.get(id);
    if (!p) parts.set(id, (p = { line: make(), kWh: new WeightedSum(), co2e: new WeightedSum(), usedKWh: FIXED_ZERO }));
    return p;
  };
  const factorLine = (f: MarketFactor): MarketBasedLine => ({
    kind: f.kind,
    factorId: f.id,
    name: f.name,
    region: f.region,
    ...(f.instrument ? { instrumentType: f.instrument.type, ...(f.instrument.trackingSystem ? { trackingSystem: f.instrument.trackingSystem } : {}) } : {}),
    kWh: '0',
    co2eKg: '0',
  });
  const book = (p: Part, line: Line, kWh: Fixed, co2e100: Fixed) => {
    p.kWh.add(line.weightKey, line.weight, kWh);
    p.co2e.add(line.weightKey, line.weight, co2e100);
    p.usedKWh = plus(p.usedKWh, kWh);
    line.remaining = minus(line.remaining, kWh);
  };
  // Each factor's kg CO2e per kWh, parsed once.
  const rates = new Map<MarketFactor, Fixed>();
  const rateOf = (f: MarketFactor) => {
    let r = rates.get(f);
    if (!r) rates.set(f, (r = fixed(f.co2ePerKWh)));
    return r;
  };

  // 1. Supplier-specific factors: the supplier's own emission rate for the whole line.
  const supplierFactorFor = memo((k) => {
    const [supplier, region, year, carrier] = k.split('\u0000') as [string, string, string, EnergyCarrier];
    const own = factorsOfSupplier(supplier);
    return own.length === 0 ? undefined : latestFor(own, { region, year: Number(year), carrier }, true);
  });
  const supplierKWh = new WeightedSum();
  if (supplierFactors.length > 0) {
    for (const line of lines.values()) {
      if (line.supplier === '') continue;
      const f = supplierFactorFor(`${norm(line.supplier)}\u0000${line.region}\u0000${line.year}\u0000${line.carrier}`);
      if (!f) continue;
      supplierKWh.add(line.weightKey, line.weight, line.kWh);
      book(part(f.id, () => factorLine(f)), line, line.kWh, times(line.kWh, rateOf(f)));
    }
  }

  // 2. Certificates and contracts, each MWh once, in the order above. Each covers the lines of
  // its region and carrier in key order (only there does the order matter).
  const byRegion = new Map<string, Line[]>();
  for (const l of lines.values()) {
    const k = `${l.region}\u0000${l.carrier}`;
    const ls = byRegion.get(k);
    if (ls) ls.push(l);
    else byRegion.set(k, [l]);
  }
  const linesOf = memo((regionCarrier) => (byRegion.get(regionCarrier) ?? []).sort((a, b) => cmp(a.key, b.key)));
  let unusedMWh = new Big(0);
  for (const f of instruments) {
    const ins = f.instrument!;
    const p = part(f.id, () => factorLine(f));
    let left = times(fixed(ins.volumeMWh!), THOUSAND);
    const entities = ins.entityCodes?.length ? new Set(ins.entityCodes) : null;
    for (const line of linesOf(`${f.region}\u0000${energyCarrierOf(f.category)}`)) {
      if (!isPositive(left)) break;
      if (!isPositive(line.remaining)) continue;
      if (line.firstDay < ins.validFrom || line.lastDay > ins.validTo) continue;
      if (entities && !entities.has(line.entityCode)) continue;
      if (f.supplier && norm(f.supplier) !== norm(line.supplier)) continue;
      const take = cmpFixed(line.remaining, left) < 0 ? line.remaining : left;
      book(p, line, take, times(take, rateOf(f)));
      left = minus(left, take);
    }
    const unused = toBig(left).div(1000);
    unusedMWh = unusedMWh.plus(unused);
    p.line.volumeMWh = new Big(ins.volumeMWh!).toFixed();
    p.line.usedMWh = toBig(p.usedKWh).div(1000).toFixed();
    p.line.unusedMWh = unused.toFixed();
  }
  const coveredKWh = new WeightedSum();
  for (const f of instruments) coveredKWh.addAll(parts.get(f.id)!.kWh);

  // 3. Residual mix for the rest; 4. else the location-based figure, disclosed as a fallback.
  const residuals = factors.filter((f) => f.kind === 'residual_mix');
  const residualOf = memo((k) => {
    const [region, year, carrier] = k.split('\u0000') as [string, string, EnergyCarrier];
    return latestFor(residuals, { region, year: Number(year), carrier }, false);
  });
  const residualFor = (line: Line) => residualOf(`${line.region}\u0000${line.year}\u0000${line.carrier}`);
  const residualKWh = new WeightedSum();
  const fallbackKWh = new WeightedSum();
  const consumption = new WeightedSum();
  for (const line of chain(lines.values(), unreached.values())) {
    consumption.add(line.weightKey, line.weight, line.kWh);
    if (!isPositive(line.remaining)) continue;
    const rest = line.remaining;
    const f = residualFor(line);
    if (f) {
      residualKWh.add(line.weightKey, line.weight, rest);
      book(part(f.id, () => factorLine(f)), line, rest, times(rest, rateOf(f)));
    } else {
      fallbackKWh.add(line.weightKey, line.weight, rest);
      const fb = part(`location:${line.region}`, () => ({ kind: 'location_fallback', factorId: null, name: `location-based grid average, ${line.region} (no residual mix)`, region: line.region, kWh: '0', co2eKg: '0' }));
      // The whole line (the usual case) keeps its own figure; a part of it, its share.
      const whole = cmpFixed(rest, line.kWh) === 0;
      const co2e = whole ? line.locationCo2e : line.kWh.n === 0n ? FIXED_ZERO : fixedFromBig(toBig(line.locationCo2e).times(toBig(rest)).div(toBig(line.kWh)));
      book(fb, line, rest, co2e);
    }
  }
  if (notInEnergyActivities > 0) {
    const p = part('location:not-energy', () => ({ kind: 'location_fallback', factorId: null, name: 'location-based figure of rows not measured in energy', region: '', kWh: '0', co2eKg: '0' }));
    p.co2e.addAll(notInEnergy);
  }

  let total = new Big(0);
  const byInstrument: MarketBasedLine[] = [];
  const order: Record<MarketBasedLine['kind'], number> = { supplier_specific: 0, contractual_instrument: 1, residual_mix: 2, location_fallback: 3 };
  for (const p of [...parts.values()].sort((a, b) => order[a.line.kind] - order[b.line.kind] || cmp(a.line.factorId ?? a.line.name, b.line.factorId ?? b.line.name))) {
    const co2e = p.co2e.pct();
    total = total.plus(co2e);
    byInstrument.push({ ...p.line, kWh: outPct(p.kWh.pct()), co2eKg: outPct(co2e) });
  }
  return {
    co2eKg: outPct(total),
    activities,
    consumptionKWh: outPct(consumption.pct()),
    supplierSpecificKWh: outPct(supplierKWh.pct()),
    coveredKWh: outPct(coveredKWh.pct()),
    residualKWh: outPct(residualKWh.pct()),
    fallbackToLocationKWh: outPct(fallbackKWh.pct()),
    notInEnergyUnits: { co2eKg: outPct(notInEnergy.pct()), activities: notInEnergyActivities },
    unusedCertificatesMWh: out(unusedMWh),
    byInstrument,
    ignoredFactors: ignored.sort((a, b) => cmp(a.factorId, b.factorId)),
  };
}
