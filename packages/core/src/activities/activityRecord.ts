import { isDecimalString, Big } from '../decimal.ts';
import { findUnit } from '../units/convertUnit.ts';

/** One accepted activity row, ready for COPY. */
export interface ActivityRow {
  line: number;
  entityId: string;
  periodStart: string;
  periodEnd: string;
  activityType: string;
  quantity: string;
  unit: string;
  description: string | null;
  supplier: string | null;
  amount: string | null;
  currency: string | null;
  /** Ledger account and purchase category of the line, for matching and mapping rules. */
  account: string | null;
  category: string | null;
  /** Method fields (see ATTRIBUTE_FIELDS), null when the row has none. */
  attributes: ActivityAttributes | null;
}

/** Optional method fields of a row: what a plain quantity x factor does not need. */
export interface ActivityAttributes {
  /** Flights: economy, premium_economy, business, first or average. */
  cabin_class?: CabinClass;
  /** Flights: how many one-way trips the quantity covers (per-trip distance picks the haul band). */
  trips?: number;
  /** Flights: ISO country (or subdivision) of departure and arrival. */
  origin?: string;
  destination?: string;
  /** Where the activity took place when not at the entity (a hotel abroad): ISO 3166 code. */
  location?: string;
  /** Spend lines: purchaser price (as invoiced, the default) or producer (basic) price. */
  price_basis?: 'purchaser' | 'producer';
}

export type CabinClass = 'economy' | 'premium_economy' | 'business' | 'first' | 'average';

export const ATTRIBUTE_FIELDS = ['cabin_class', 'trips', 'origin', 'destination', 'location', 'price_basis'] as const;

const CABIN: Record<string, CabinClass> = {
  economy: 'economy', 'economy class': 'economy', coach: 'economy', standard: 'economy',
  premium_economy: 'premium_economy', 'premium economy': 'premium_economy', 'premium economy class': 'premium_economy', premium: 'premium_economy',
  business: 'business', 'business class': 'business',
  first: 'first', 'first class': 'first',
  average: 'average', 'average passenger': 'average', unknown: 'average',
};
const PRICE_BASIS: Record<string, 'purchaser' | 'producer'> = { purchaser: 'purchaser', 'purchaser price': 'purchaser', 'with margins': 'purchaser', producer: 'producer', 'producer price': 'producer', basic: 'producer', 'basic price': 'producer', 'without margins': 'producer' };
const PLACE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

function attributesOf(record: Record<string, unknown>, line: number, errors: FieldError[]): ActivityAttributes | null {
  const a: ActivityAttributes = {};
  const cabin = text(record.cabin_class);
  if (cabin !== undefined) {
    const c = CABIN[cabin.toLowerCase().replace(/[_-]+/g, ' ').replace(/ +/g, ' ')] ?? CABIN[cabin.toLowerCase()];
    if (c) a.cabin_class = c;
    else errors.push({ line, field: 'cabin_class', reason: `"${cabin}" is not a cabin class (economy, premium_economy, business, first, average)` });
  }
  const trips = text(record.trips);
  if (trips !== undefined) {
    const n = Number(trips);
    if (Number.isInteger(n) && n >= 1 && n <= 1_000_000) a.trips = n;
    else errors.push({ line, field: 'trips', reason: `"${trips}" is not a whole number of trips (1 or more)` });
  }
  for (const field of ['origin', 'destination', 'location'] as const) {
    const v = text(record[field]);
    if (v === undefined) continue;
    if (PLACE.test(v.toUpperCase())) a[field] = v.toUpperCase();
    else errors.push({ line, field, reason: `"${v}" is not an ISO 3166 country or subdivision code (e.g. GB, US-CA)` });
  }
  const price = text(record.price_basis);
  if (price !== undefined) {
    const b = PRICE_BASIS[price.toLowerCase()];
    if (b) a.price_basis = b;
    else errors.push({ line, field: 'price_basis', reason: `"${price}" is not a price basis (purchaser or producer)` });
  }
  return Object.keys(a).length > 0 ? a : null;
}

export interface FieldError {
  line: number;
  field: string;
  reason: string;
}

export interface RecordContext {
  /** Entity code (or id) -> entity id, for the uploading organisation only. */
  entities: ReadonlyMap<string, string>;
}

export const ACTIVITY_FIELDS = ['entity', 'date', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'description', 'supplier', 'amount', 'currency', 'account', 'category', ...ATTRIBUTE_FIELDS] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_QUANTITY = new Big('1e15');

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NaN';
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  return JSON.stringify(v);
}

function validDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function decimalField(raw: string | undefined, field: string, line: number, errors: FieldError[], required: boolean): string | null {
  if (raw === undefined) {
    if (required) errors.push({ line, field, reason: 'is required' });
    return null;
  }
  const cleaned = raw.replace(/,/g, '');
  if (!isDecimalString(cleaned)) {
    errors.push({ line, field, reason: `"${raw}" is not a number` });
    return null;
  }
  const v = new Big(cleaned);
  if (v.lt(0)) {
    errors.push({ line, field, reason: `must not be negative (got ${raw})` });
    return null;
  }
  if (v.gt(MAX_QUANTITY)) {
    errors.push({ line, field, reason: `${raw} is implausibly large (limit 1e15)` });
    return null;
  }
  return v.toFixed();
}

/**
 * Validates one uploaded record (CSV row or NDJSON object). Every problem is reported, with the
 * field it concerns, so a user fixes a row once.
 */
export function validateActivityRecord(record: Record<string, unknown>, line: number, ctx: RecordContext): { ok: true; row: ActivityRow } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const entityRaw = text(record.entity ?? record.entity_code);
  let entityId: string | undefined;
  if (entityRaw === undefined) errors.push({ line, field: 'entity', reason: 'is required' });
  else {
    entityId = ctx.entities.get(entityRaw);
    if (!entityId) errors.push({ line, field: 'entity', reason: `unknown entity "${entityRaw}" in this organisation` });
  }

  const date = text(record.date);
  let periodStart = text(record.period_start);
  let periodEnd = text(record.period_end);
  if (date !== undefined) {
    if (periodStart !== undefined || periodEnd !== undefined) errors.push({ line, field: 'date', reason: 'give either date or period_start/period_end, not both' });
    else if (!validDate(date)) errors.push({ line, field: 'date', reason: `"${date}" is not a date (YYYY-MM-DD)` });
    else periodStart = periodEnd = date;
  } else if (periodStart === undefined && periodEnd === undefined) {
    errors.push({ line, field: 'date', reason: 'is required (or period_start and period_end)' });
  } else {
    if (periodStart === undefined || !validDate(periodStart)) errors.push({ line, field: 'period_start', reason: periodStart === undefined ? 'is required with period_end' : `"${periodStart}" is not a date (YYYY-MM-DD)` });
    if (periodEnd === undefined || !validDate(periodEnd)) errors.push({ line, field: 'period_end', reason: periodEnd === undefined ? 'is required with period_start' : `"${periodEnd}" is not a date (YYYY-MM-DD)` });
    if (periodStart && periodEnd && validDate(periodStart) && validDate(periodEnd) && periodEnd < periodStart) {
      errors.push({ line, field: 'period_end', reason: `${periodEnd} is before period_start ${periodStart}` });
    }
  }

  const activityType = text(record.activity_type);
  if (activityType === undefined) errors.push({ line, field: 'activity_type', reason: 'is required' });
  else if (activityType.length > 300) errors.push({ line, field: 'activity_type', reason: 'is longer than 300 characters' });

  const quantity = decimalField(text(record.quantity), 'quantity', line, errors, true);

  const unitRaw = text(record.unit);
  let unit: string | undefined;
  if (unitRaw === undefined) errors.push({ line, field: 'unit', reason: 'is required' });
  else {
    unit = findUnit(unitRaw)?.code;
    if (!unit) errors.push({ line, field: 'unit', reason: `unknown unit "${unitRaw}"` });
  }

  const description = text(record.description) ?? null;
  const supplier = text(record.supplier) ?? null;
  if (description && description.length > 2000) errors.push({ line, field: 'description', reason: 'is longer than 2000 characters' });
  if (supplier && supplier.length > 500) errors.push({ line, field: 'supplier', reason: 'is longer than 500 characters' });
  const account = text(record.account) ?? null;
  const category = text(record.category) ?? null;
  if (account && account.length > 200) errors.push({ line, field: 'account', reason: 'is longer than 200 characters' });
  if (category && category.length > 500) errors.push({ line, field: 'category', reason: 'is longer than 500 characters' });

  const amountRaw = text(record.amount);
  const currencyRaw = text(record.currency);
  const amount = decimalField(amountRaw, 'amount', line, errors, false);
  let currency: string | null = null;
  if (amountRaw !== undefined && currencyRaw === undefined) errors.push({ line, field: 'currency', reason: 'is required with amount' });
  if (currencyRaw !== undefined) {
    if (!/^[A-Za-z]{3}$/.test(currencyRaw)) errors.push({ line, field: 'currency', reason: `"${currencyRaw}" is not an ISO 4217 code` });
    else currency = currencyRaw.toUpperCase();
    if (amountRaw === undefined) errors.push({ line, field: 'amount', reason: 'is required with currency' });
  }

  const attributes = attributesOf(record, line, errors);

  if (errors.length > 0 || !entityId || !periodStart || !periodEnd || !activityType || quantity === null || !unit) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    row: { line, entityId, periodStart, periodEnd, activityType: activityType.toLowerCase(), quantity, unit, description, supplier, amount, currency, account, category, attributes },
  };
}
