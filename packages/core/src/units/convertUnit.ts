import { Big, type Decimal } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import { UNIT_TABLE, type UnitDef } from './unitTable.ts';

const normaliseKey = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, ' ');

const BY_KEY: ReadonlyMap<string, UnitDef> = (() => {
  const m = new Map<string, UnitDef>();
  for (const u of UNIT_TABLE) {
    for (const k of [u.code, u.label, ...u.aliases]) {
      const key = normaliseKey(k);
      const prior = m.get(key);
      if (prior && prior !== u) throw new Error(`unit alias "${k}" is ambiguous: ${prior.code} and ${u.code}`);
      m.set(key, u);
    }
  }
  return m;
})();

/** Look a unit up by code, label or alias (case-insensitive); undefined when unknown. */
export function findUnit(text: string): UnitDef | undefined {
  return BY_KEY.get(normaliseKey(text));
}

export function requireUnit(text: string): UnitDef {
  const u = findUnit(text);
  if (!u) throw new CoreError('UNIT.UNKNOWN', `unknown unit "${text}"`, { unit: text });
  return u;
}

export interface UnitConversion {
  from: string;
  to: string;
  /** Multiply the activity quantity by this to express it in the factor's unit. */
  multiplier: string;
  /** Set when the conversion rests on a convention rather than a definition. */
  assumption?: string;
}

/**
 * The multiplier from one unit to another of the same dimension. Incompatible units are an error
 * naming both, never a silent zero. Energy quantities without a calorific-value basis are taken as
 * gross CV (the DESNZ and UK billing convention) and the assumption is recorded; net and gross CV
 * never convert into each other here, because that needs the fuel's own properties.
 */
export function unitConversion(fromText: string, toText: string): UnitConversion {
  const from = requireUnit(fromText);
  const to = requireUnit(toText);
  if (from.dimension !== to.dimension || from.currency !== to.currency) {
    throw new CoreError('UNIT.INCOMPATIBLE', `cannot convert ${from.label} (${from.dimension}${from.currency ? ' ' + from.currency : ''}) to ${to.label} (${to.dimension}${to.currency ? ' ' + to.currency : ''})`, {
      from: from.code,
      to: to.code,
    });
  }
  let assumption: string | undefined;
  if (from.energyBasis !== to.energyBasis) {
    if (from.energyBasis === undefined && to.energyBasis === 'gross_cv') {
      assumption = 'energy without a calorific-value basis taken as gross CV';
    } else {
      throw new CoreError('UNIT.INCOMPATIBLE', `cannot convert ${from.label} to ${to.label}: calorific-value bases differ`, { from: from.code, to: to.code });
    }
  }
  const multiplier = from.toBase === to.toBase ? '1' : new Big(from.toBase).div(to.toBase).toFixed();
  return assumption ? { from: from.code, to: to.code, multiplier, assumption } : { from: from.code, to: to.code, multiplier };
}

export function convertQuantity(quantity: string | Decimal, fromText: string, toText: string): Decimal {
  return new Big(quantity).times(unitConversion(fromText, toText).multiplier);
}
