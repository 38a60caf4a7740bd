import { Big, isDecimalString } from '../decimal.ts';
import { CO2E_PSEUDO_GAS, normaliseGas } from '../gwp/gases.ts';
import { findUnit } from '../units/convertUnit.ts';
import { INSTRUMENT_TYPES, type ContractualInstrument, type EmissionFactor, type FactorKind, type GasBasis, type InstrumentType, type Scope, type SourceRow } from './emissionFactor.ts';
import { GLOBAL_REGION } from '../calculation/matchFactor.ts';

/** One invalid field of a request: RFC 6901 pointer into the request body, and what is wrong. */
export interface PointerError {
  pointer: string;
  detail: string;
}

/** A series name becomes part of its sets' ids: lower-case letters, digits, '.', '_' and '-'. */
export const FACTOR_SERIES_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export type OrganisationFactorKind = Exclude<FactorKind, 'published'>;
export const ORGANISATION_FACTOR_KINDS: readonly OrganisationFactorKind[] = ['supplier_specific', 'contractual_instrument', 'residual_mix', 'custom'];

/** A validated factor before it belongs to a set: the set id (and so the factor id) is fixed when it is stored. */
export type OrganisationFactorDraft = Omit<EmissionFactor, 'id' | 'factorSetId' | 'kind'> & { kind: OrganisationFactorKind };

export interface OrganisationFactorOptions {
  /** GWP set ids a factor may name as its gwpBasis (matched case-insensitively). */
  gwpSetIds: readonly string[];
  /** Normalised gas names the GWP sets know; when given, other gases are refused. */
  knownGases?: ReadonlySet<string> | undefined;
  /** Pointer of the list in the request body. */
  pointer?: string | undefined;
  maxFactors?: number | undefined;
}

export type OrganisationFactorsResult = { ok: true; factors: OrganisationFactorDraft[] } | { ok: false; errors: PointerError[] };

const FACTOR_FIELDS = new Set(['key', 'name', 'unit', 'co2e', 'gases', 'gasBasis', 'gwpBasis', 'scope', 'category', 'region', 'year', 'kind', 'supplier', 'instrument']);
const INSTRUMENT_FIELDS = new Set(['type', 'trackingSystem', 'volumeMWh', 'entityCodes', 'validFrom', 'validTo', 'certificateIds']);
const REGION_RE = /^(GLOBAL|[A-Z]{2}(-[A-Z0-9]+)*)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const ptr = (at: string, ...parts: (string | number)[]) => [at, ...parts.map((p) => escapePointer(String(p)))].join('/');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Reads one object's fields, recording every problem instead of stopping at the first. */
class Reader {
  readonly obj: Record<string, unknown>;
  readonly at: string;
  readonly errors: PointerError[];
  constructor(obj: Record<string, unknown>, at: string, errors: PointerError[], allowed: ReadonlySet<string>) {
    this.obj = obj;
    this.at = at;
    this.errors = errors;
    for (const k of Object.keys(obj)) if (!allowed.has(k)) this.fail(k, 'unknown field');
  }

  /** path: a field, or the parts of a path below this object; none for the object itself. */
  fail(path: string | number | readonly (string | number)[] | undefined, detail: string): undefined {
    const parts = path === undefined ? [] : Array.isArray(path) ? path : [path as string | number];
    this.errors.push({ pointer: ptr(this.at, ...parts), detail });
    return undefined;
  }

  has(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }

  text(field: string, required: boolean, max = 200): string | undefined {
    const v = this.obj[field];
    if (v === undefined || v === null) return required ? this.fail(field, 'is required') : undefined;
    if (typeof v !== 'string') return this.fail(field, `must be a string, not ${describe(v)}`);
    const t = v.trim();
    if (t === '') return this.fail(field, 'must not be empty');
    if (t.length > max) return this.fail(field, `must be at most ${max} characters`);
    return t;
  }

  /** A non-negative decimal, as a string (numbers are accepted and read as written). */
  decimal(field: string, value = this.obj[field], where: readonly (string | number)[] = [field]): { value: string; raw: string } | undefined {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return this.fail(where, `must be a decimal string, not ${describe(value)}`);
    const raw = String(value).trim();
    if (!isDecimalString(raw)) return this.fail(where, `"${raw}" is not a decimal number`);
    const d = new Big(raw);
    if (d.lt(0)) return this.fail(where, 'must not be negative');
    // Bounds the digits a value can expand to (1e999999 would be a million-digit string).
    if (!d.eq(0) && (d.e > 15 || d.e < -40)) return this.fail(where, 'is out of range');
    return { value: d.toFixed(), raw };
  }

  date(field: string): string | undefined {
    const s = this.text(field, true, 10);
    if (s === undefined) return undefined;
    const m = DATE_RE.exec(s);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!d || d.toISOString().slice(0, 10) !== s) return this.fail(field, `"${s}" is not a date (YYYY-MM-DD)`);
    return s;
  }

  strings(field: string, max = 10_000): string[] | undefined {
    const v = this.obj[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.fail(field, `must be an array of strings, not ${describe(v)}`);
    if (v.length > max) return this.fail(field, `must have at most ${max} items`);
    const out: string[] = [];
    v.forEach((s, i) => {
      if (typeof s !== 'string' || s.trim() === '' || s.length > 200) this.fail([field, i], 'must be a non-empty string of at most 200 characters');
      else out.push(s.trim());
    });
    return out.length === v.length ? out : undefined;
  }
}

function readInstrument(value: unknown, at: string, errors: PointerError[]): ContractualInstrument | undefined {
  if (!isObject(value)) {
    errors.push({ pointer: at, detail: `must be an object, not ${describe(value)}` });
    return undefined;
  }
  const before = errors.length;
  const r = new Reader(value, at, errors, INSTRUMENT_FIELDS);
  const type = r.text('type', true);
  if (type !== undefined && !(INSTRUMENT_TYPES as readonly string[]).includes(type)) r.fail('type', `must be one of ${INSTRUMENT_TYPES.join(', ')}`);
  const trackingSystem = r.text('trackingSystem', false, 50);
  const volume = r.has('volumeMWh') ? r.decimal('volumeMWh') : undefined;
  const entityCodes = r.strings('entityCodes');
  const certificateIds = r.strings('certificateIds');
  const validFrom = r.date('validFrom');
  const validTo = r.date('validTo');
  if (validFrom && validTo && validFrom > validTo) r.fail('validTo', `must not be before validFrom (${validFrom})`);
  if (errors.length > before || !type || !validFrom || !validTo) return undefined;
  return {
    type: type as InstrumentType,
    ...(trackingSystem !== undefined ? { trackingSystem } : {}),
    ...(volume ? { volumeMWh: volume.value } : {}),
    ...(entityCodes ? { entityCodes } : {}),
    validFrom,
    validTo,
    ...(certificateIds ? { certificateIds } : {}),
  };
}

function readFactor(raw: unknown, at: string, index: number, opts: OrganisationFactorOptions, errors: PointerError[]): OrganisationFactorDraft | undefined {
  if (!isObject(raw)) {
    errors.push({ pointer: at, detail: `must be an object, not ${describe(raw)}` });
    return undefined;
  }
  const before = errors.length;
  const r = new Reader(raw, at, errors, FACTOR_FIELDS);
  const sourceRows: SourceRow[] = [];

  const key = r.text('key', true)?.toLowerCase();
  const name = r.text('name', true, 300);
  const category = r.text('category', true);
  const supplier = r.text('supplier', false);

  const unitText = r.text('unit', true, 50);
  const unit = unitText === undefined ? undefined : findUnit(unitText)?.code;
  if (unitText !== undefined && unit === undefined) r.fail('unit', `unknown unit "${unitText}"`);

  let co2e: string | undefined;
  if (r.has('co2e')) {
    const d = r.decimal('co2e');
    if (d) {
      co2e = d.value;
      sourceRows.push({ line: index, id: ptr(at, 'co2e'), ghg: 'CO2e', value: d.raw });
    }
  }

  const gases: Record<string, string> = {};
  if (r.has('gases')) {
    const g = raw.gases;
    if (!isObject(g)) r.fail('gases', `must be an object of gas -> decimal string, not ${describe(g)}`);
    else if (Object.keys(g).length === 0) r.fail('gases', 'must name at least one gas');
    else {
      const spelledAs = new Map<string, string>();
      for (const [gasName, value] of Object.entries(g)) {
        const gas = normaliseGas(gasName);
        const prior = spelledAs.get(gas);
        if (prior !== undefined) r.fail(['gases', gasName], `the same gas as "${prior}"`);
        else if (opts.knownGases && gas !== 'CO2' && gas !== CO2E_PSEUDO_GAS && !opts.knownGases.has(gas)) r.fail(['gases', gasName], `unknown gas "${gasName}"`);
        spelledAs.set(gas, gasName);
        const d = r.decimal('gases', value, ['gases', gasName]);
        if (d) {
          gases[gas] = d.value;
          sourceRows.push({ line: index, id: ptr(at, 'gases', gasName), ghg: gasName, value: d.raw });
        }
      }
    }
  }
  const hasGases = r.has('gases');
  if (!r.has('co2e') && !hasGases) r.fail(undefined, 'give co2e and/or gases');

  let gasBasis: GasBasis = hasGases ? 'mass' : 'co2e';
  if (r.has('gasBasis')) {
    const b = raw.gasBasis;
    if (b !== 'mass' && b !== 'co2e') r.fail('gasBasis', 'must be "mass" or "co2e"');
    else if (b === 'mass' && !hasGases) r.fail('gasBasis', '"mass" needs gases');
    else gasBasis = b;
  }

  let gwpBasis: string | undefined;
  const gwpText = r.text('gwpBasis', co2e !== undefined || gasBasis === 'co2e', 20);
  if (gwpText !== undefined) {
    gwpBasis = opts.gwpSetIds.find((id) => id.toLowerCase() === gwpText.toLowerCase());
    if (gwpBasis === undefined) r.fail('gwpBasis', `unknown GWP set "${gwpText}" (one of ${opts.gwpSetIds.join(', ')})`);
  }

  const scope = raw.scope;
  if (scope !== 1 && scope !== 2 && scope !== 3) r.fail('scope', 'must be 1, 2 or 3');

  const region = r.has('region') ? r.text('region', true, 50)?.toUpperCase() : GLOBAL_REGION;
  if (region !== undefined && !REGION_RE.test(region)) r.fail('region', `"${region}" is not an ISO 3166-1 alpha-2 code, a finer region such as US-EGRID-CAMX, or GLOBAL`);

  const year = raw.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 2100) r.fail('year', 'must be a year between 1900 and 2100');

  let kind: OrganisationFactorKind = 'custom';
  if (r.has('kind')) {
    if ((ORGANISATION_FACTOR_KINDS as readonly unknown[]).includes(raw.kind)) kind = raw.kind as OrganisationFactorKind;
    else r.fail('kind', `must be one of ${ORGANISATION_FACTOR_KINDS.join(', ')}`);
  }

  let instrument: ContractualInstrument | undefined;
  if (r.has('instrument')) {
    if (kind !== 'contractual_instrument') r.fail('instrument', 'is only for contractual_instrument factors');
    else instrument = readInstrument(raw.instrument, ptr(at, 'instrument'), errors);
  } else if (kind === 'contractual_instrument') r.fail('instrument', 'is required for a contractual_instrument factor');

  if (errors.length > before || !key || !name || !category || !unit || !region) return undefined;
  return {
    activityKey: key,
    name,
    scope: scope as Scope,
    category,
    region,
    year: year as number,
    unit,
    co2e: co2e ?? null,
    gasBasis,
    gwpBasis: gwpBasis ?? null,
    gases,
    sourceRef: `organisation-provided factor ${at}`,
    sourceRows,
    kind,
    ...(supplier !== undefined ? { supplier } : {}),
    ...(instrument ? { instrument } : {}),
  };
}

/**
 * Validates an organisation's factor list (as sent to the API) into factor drafts, collecting
 * every error with its JSON pointer. Units become unit codes, gases their normalised names,
 * decimals their plain form; the submitted values are kept as the factors' source rows.
 */
export function validateOrganisationFactors(input: unknown, opts: OrganisationFactorOptions): OrganisationFactorsResult {
  const at = opts.pointer ?? '/factors';
  const max = opts.maxFactors ?? 10_000;
  const errors: PointerError[] = [];
  if (!Array.isArray(input)) return { ok: false, errors: [{ pointer: at, detail: `must be an array of factors, not ${describe(input)}` }] };
  if (input.length === 0) return { ok: false, errors: [{ pointer: at, detail: 'must list at least one factor' }] };
  if (input.length > max) return { ok: false, errors: [{ pointer: at, detail: `must list at most ${max} factors` }] };
  const factors: OrganisationFactorDraft[] = [];
  // The factor's natural key in its set (emission_factors_natural_key).
  const firstAt = new Map<string, number>();
  input.forEach((raw, i) => {
    const f = readFactor(raw, ptr(at, i), i, opts, errors);
    if (!f) return;
    const natural = `${f.activityKey}|${f.unit}|${f.region}|${f.year}`;
    const prior = firstAt.get(natural);
    if (prior !== undefined) errors.push({ pointer: ptr(at, i), detail: `the same key, unit, region and year as ${ptr(at, prior)}` });
    else firstAt.set(natural, i);
    factors.push(f);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, factors };
}

/** The drafts as factors of a set: id = set id + the factor's position in the upload. */
export function organisationFactorsOfSet(factorSetId: string, drafts: readonly OrganisationFactorDraft[]): EmissionFactor[] {
  return drafts.map((d, i) => ({ ...d, id: `${factorSetId}:${i}`, factorSetId }));
}

/** JSON with object keys sorted at every level, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
