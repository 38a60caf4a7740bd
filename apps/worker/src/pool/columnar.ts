import type { ActivityInput } from '@tally/core';
import type { ChunkActivityRow } from '@tally/db';

/**
 * A chunk's activities as columns, for the trip to a calculation thread: typed arrays that are
 * transferred (moved, not copied), text columns dictionary-coded (each distinct value once, rows
 * hold a code), per-row decimals as one UTF-8 buffer with end offsets. Structured-cloning one
 * object per activity cost more than calculating it.
 */
export interface ActivityColumns {
  length: number;
  /** Activity ids (bigint in the store). */
  ids: BigInt64Array;
  /** Per-row decimal strings, exactly as stored. */
  quantity: DecimalColumn;
  amount: DecimalColumn;
  /** Dictionary-coded: values[codes[i]]; code 0 is null. */
  activityType: DictColumn;
  unit: DictColumn;
  entityId: DictColumn;
  periodStart: DictColumn;
  country: DictColumn;
  supplier: DictColumn;
  currency: DictColumn;
  /** Each distinct attributes object as its JSON text. */
  attributes: DictColumn;
  description: DictColumn;
  account: DictColumn;
  category: DictColumn;
}

export interface DictColumn {
  codes: Uint32Array;
  values: (string | null)[];
}

export interface DecimalColumn {
  /** UTF-8 text of every value, one after the other. */
  bytes: Uint8Array;
  /** Where value i ends in bytes (it starts where value i-1 ends); a null is an empty value flagged in nulls. */
  ends: Uint32Array;
  nulls: Uint8Array;
}

class DictBuilder {
  readonly codes: Uint32Array;
  readonly values: (string | null)[] = [null];
  private readonly index = new Map<string, number>();
  constructor(length: number) {
    this.codes = new Uint32Array(length);
  }
  set(i: number, v: string | null): void {
    if (v === null) return;
    let code = this.index.get(v);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(v);
      this.index.set(v, code);
    }
    this.codes[i] = code;
  }
  build(): DictColumn {
    return { codes: this.codes, values: this.values };
  }
}

const encoder = new TextEncoder();

function decimalColumn(values: readonly (string | null)[]): DecimalColumn {
  const ends = new Uint32Array(values.length);
  const nulls = new Uint8Array(values.length);
  // Decimal strings are ASCII: one byte per character.
  const text = values.map((v, i) => {
    if (v === null) nulls[i] = 1;
    return v ?? '';
  });
  let end = 0;
  for (let i = 0; i < text.length; i++) ends[i] = end += text[i]!.length;
  return { bytes: encoder.encode(text.join('')), ends, nulls };
}

/** Main thread: rows as read from PostgreSQL → columns. */
export function packActivities(rows: readonly ChunkActivityRow[]): ActivityColumns {
  const n = rows.length;
  const ids = new BigInt64Array(n);
  const d = {
    activityType: new DictBuilder(n), unit: new DictBuilder(n), entityId: new DictBuilder(n), periodStart: new DictBuilder(n), country: new DictBuilder(n),
    supplier: new DictBuilder(n), currency: new DictBuilder(n), attributes: new DictBuilder(n), description: new DictBuilder(n), account: new DictBuilder(n),
    category: new DictBuilder(n),
  };
  const quantity: string[] = new Array<string>(n);
  const amount: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    ids[i] = BigInt(r.id);
    quantity[i] = r.quantity;
    amount[i] = r.amount;
    d.activityType.set(i, r.activityType);
    d.unit.set(i, r.unit);
    d.entityId.set(i, r.entityId);
    d.periodStart.set(i, r.periodStart);
    d.country.set(i, r.country);
    d.supplier.set(i, r.supplier);
    d.currency.set(i, r.currency);
    d.attributes.set(i, r.attributes === null ? null : JSON.stringify(r.attributes));
    d.description.set(i, r.description);
    d.account.set(i, r.account);
    d.category.set(i, r.category);
  }
  return {
    length: n, ids, quantity: decimalColumn(quantity), amount: decimalColumn(amount),
    activityType: d.activityType.build(), unit: d.unit.build(), entityId: d.entityId.build(), periodStart: d.periodStart.build(), country: d.country.build(),
    supplier: d.supplier.build(), currency: d.currency.build(), attributes: d.attributes.build(), description: d.description.build(), account: d.account.build(),
    category: d.category.build(),
  };
}

/** The buffers to move to the thread with the columns (the sender gives them up). */
export function transferListOf(c: ActivityColumns): ArrayBuffer[] {
  const dicts = [c.activityType, c.unit, c.entityId, c.periodStart, c.country, c.supplier, c.currency, c.attributes, c.description, c.account, c.category];
  return [c.ids, c.quantity.bytes, c.quantity.ends, c.quantity.nulls, c.amount.bytes, c.amount.ends, c.amount.nulls, ...dicts.map((x) => x.codes)].map((a) => a.buffer as ArrayBuffer);
}

const decoder = new TextDecoder();

function decimals(c: DecimalColumn): (string | null)[] {
  const text = decoder.decode(c.bytes);
  const out = new Array<string | null>(c.ends.length);
  let start = 0;
  for (let i = 0; i < c.ends.length; i++) {
    const end = c.ends[i]!;
    out[i] = c.nulls[i] ? null : text.slice(start, end);
    start = end;
  }
  return out;
}

/** Thread: columns → the calculation's activity inputs (attribute objects shared by equal rows). */
export function unpackActivities(c: ActivityColumns): ActivityInput[] {
  const quantity = decimals(c.quantity);
  const amount = decimals(c.amount);
  const attributes = c.attributes.values.map((v) => (v === null ? null : (JSON.parse(v) as ActivityInput['attributes'])));
  const years = c.periodStart.values.map((v) => (v === null ? undefined : Number(v.slice(0, 4))));
  const out = new Array<ActivityInput>(c.length);
  const v = (col: DictColumn, i: number) => col.values[col.codes[i]!]!;
  for (let i = 0; i < c.length; i++) {
    out[i] = {
      id: String(c.ids[i]),
      activityType: v(c.activityType, i)!,
      quantity: quantity[i]!,
      unit: v(c.unit, i)!,
      // as read before columns: the entity's country, null when it has none
      region: v(c.country, i) as string,
      year: years[c.periodStart.codes[i]!],
      supplier: v(c.supplier, i),
      amount: amount[i]!,
      currency: v(c.currency, i),
      attributes: attributes[c.attributes.codes[i]!]!,
      description: v(c.description, i),
      account: v(c.account, i),
      category: v(c.category, i),
    };
  }
  return out;
}
