import { describe, expect, it } from 'vitest';
import { prepareFactor } from '../calculation/prepareFactor.ts';
import type { GwpSet } from '../gwp/gases.ts';
import { canonicalJson, organisationFactorsOfSet, validateOrganisationFactors, type OrganisationFactorsResult } from './organisationFactors.ts';

const opts = { gwpSetIds: ['AR5', 'AR6'], knownGases: new Set(['CH4', 'N2O', 'SF6']) };
const AR5: GwpSet = { id: 'AR5', name: 'AR5', horizonYears: 100, source: 'test', values: { CH4: '28', N2O: '265' } };

const supplier = { key: 'Purchased-Goods/Steel/Acme', name: 'Acme steel (EPD)', unit: 'tonnes', co2e: '1850.5', gwpBasis: 'ar5', scope: 3, category: '3.1 Purchased goods', year: 2024, kind: 'supplier_specific', supplier: 'Acme Steel plc' };
const eac = {
  key: 'electricity/market-based/rego',
  name: 'REGO-backed supply',
  unit: 'kWh',
  co2e: '0',
  gwpBasis: 'AR5',
  scope: 2,
  category: '2 Purchased electricity',
  region: 'gb',
  year: 2024,
  kind: 'contractual_instrument',
  instrument: { type: 'EAC', trackingSystem: 'REGO', volumeMWh: '1200', entityCodes: ['HQ'], validFrom: '2024-01-01', validTo: '2024-12-31', certificateIds: ['R00001-0001'] },
};

const ok = (r: OrganisationFactorsResult) => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.factors;
};

describe('validateOrganisationFactors', () => {
  it('normalises keys, units, regions, GWP set ids, gases and decimals, and keeps the submitted values', () => {
    const [steel, rego, boiler] = ok(validateOrganisationFactors([supplier, eac, { key: 'fuel/boiler', name: 'Boiler gas', unit: 'kWh', gases: { 'Carbon dioxide': '0.18', methane: '2.5e-5' }, scope: 1, category: '1 Stationary', region: 'US-EGRID-CAMX', year: 2024 }], opts));
    expect(steel).toMatchObject({ activityKey: 'purchased-goods/steel/acme', unit: 'tonne', co2e: '1850.5', gasBasis: 'co2e', gwpBasis: 'AR5', gases: {}, region: 'GLOBAL', kind: 'supplier_specific', supplier: 'Acme Steel plc', sourceRef: 'organisation-provided factor /factors/0' });
    expect(steel?.sourceRows).toEqual([{ line: 0, id: '/factors/0/co2e', ghg: 'CO2e', value: '1850.5' }]);
    expect(rego).toMatchObject({ region: 'GB', kind: 'contractual_instrument', instrument: { type: 'EAC', trackingSystem: 'REGO', volumeMWh: '1200', validFrom: '2024-01-01', validTo: '2024-12-31' } });
    expect(boiler).toMatchObject({ gasBasis: 'mass', gwpBasis: null, co2e: null, gases: { CO2: '0.18', CH4: '0.000025' }, kind: 'custom' });
    expect(boiler?.sourceRows.map((s) => [s.id, s.ghg, s.value])).toEqual([
      ['/factors/2/gases/Carbon dioxide', 'Carbon dioxide', '0.18'],
      ['/factors/2/gases/methane', 'methane', '2.5e-5'],
    ]);
  });

  it('gives drafts ids in their set, and the factors work in a calculation', () => {
    const factors = organisationFactorsOfSet('org-x-v1', ok(validateOrganisationFactors([supplier, { key: 'k', name: 'n', unit: 'kWh', gases: { CH4: '1', CO2: '2' }, scope: 1, category: 'c', year: 2024 }], opts)));
    expect(factors.map((f) => [f.id, f.factorSetId])).toEqual([['org-x-v1:0', 'org-x-v1'], ['org-x-v1:1', 'org-x-v1']]);
    expect(prepareFactor(factors[0]!, AR5, new Map([['AR5', AR5]])).co2ePerUnit.toFixed()).toBe('1850.5');
    expect(prepareFactor(factors[1]!, AR5, new Map([['AR5', AR5]])).co2ePerUnit.toFixed()).toBe('30');
  });

  it('collects every error with its JSON pointer', () => {
    const r = validateOrganisationFactors(
      [
        { ...supplier, unit: 'parsec', co2e: '-1', scope: 4, colour: 'red' },
        { key: 'k', name: 'n', unit: 'kWh', scope: 2, category: 'c', year: 2024.5, region: 'Great Britain' },
        { ...eac, instrument: { type: 'REC', validFrom: '2024-12-31', validTo: '2024-01-01', volumeMWh: 'lots' } },
        { ...eac, kind: 'contractual_instrument', instrument: undefined },
        { key: 'k2', name: 'n', unit: 'kWh', gases: { CH4: '1', methane: '2', 'HFC/x': '1' }, gasBasis: 'co2e', scope: 1, category: 'c', year: 2024 },
        'not an object',
        { ...supplier, gwpBasis: 'SAR' },
        { ...supplier, gasBasis: 'mass' },
      ],
      opts,
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([
      { pointer: '/factors/0/colour', detail: 'unknown field' },
      { pointer: '/factors/0/unit', detail: 'unknown unit "parsec"' },
      { pointer: '/factors/0/co2e', detail: 'must not be negative' },
      { pointer: '/factors/0/scope', detail: 'must be 1, 2 or 3' },
      { pointer: '/factors/1', detail: 'give co2e and/or gases' },
      { pointer: '/factors/1/gwpBasis', detail: 'is required' },
      { pointer: '/factors/1/region', detail: '"GREAT BRITAIN" is not an ISO 3166-1 alpha-2 code, a finer region such as US-EGRID-CAMX, or GLOBAL' },
      { pointer: '/factors/1/year', detail: 'must be a year between 1900 and 2100' },
      { pointer: '/factors/2/instrument/type', detail: 'must be one of EAC, PPA, supplier_contract, green_tariff, self_generation' },
      { pointer: '/factors/2/instrument/volumeMWh', detail: '"lots" is not a decimal number' },
      { pointer: '/factors/2/instrument/validTo', detail: 'must not be before validFrom (2024-12-31)' },
      { pointer: '/factors/3/instrument', detail: 'is required for a contractual_instrument factor' },
      { pointer: '/factors/4/gases/methane', detail: 'the same gas as "CH4"' },
      { pointer: '/factors/4/gases/HFC~1x', detail: 'unknown gas "HFC/x"' },
      { pointer: '/factors/4/gwpBasis', detail: 'is required' },
      { pointer: '/factors/5', detail: 'must be an object, not string' },
      { pointer: '/factors/6/gwpBasis', detail: 'unknown GWP set "SAR" (one of AR5, AR6)' },
      { pointer: '/factors/7/gasBasis', detail: '"mass" needs gases' },
    ]);
  });

  it('refuses an empty list, a non-list, duplicates of the natural key and instruments on other kinds', () => {
    expect(validateOrganisationFactors([], opts)).toEqual({ ok: false, errors: [{ pointer: '/factors', detail: 'must list at least one factor' }] });
    expect(validateOrganisationFactors({}, opts)).toEqual({ ok: false, errors: [{ pointer: '/factors', detail: 'must be an array of factors, not object' }] });
    const dup = validateOrganisationFactors([supplier, { ...supplier, key: 'PURCHASED-GOODS/STEEL/ACME', unit: 't', name: 'again' }], opts);
    expect(dup.ok ? [] : dup.errors).toEqual([{ pointer: '/factors/1', detail: 'the same key, unit, region and year as /factors/0' }]);
    const wrong = validateOrganisationFactors([{ ...supplier, instrument: eac.instrument }], opts);
    expect(wrong.ok ? [] : wrong.errors).toEqual([{ pointer: '/factors/0/instrument', detail: 'is only for contractual_instrument factors' }]);
    const dates = validateOrganisationFactors([{ ...eac, instrument: { ...eac.instrument, validFrom: '2024-02-30' } }], opts);
    expect(dates.ok ? [] : dates.errors).toEqual([{ pointer: '/factors/0/instrument/validFrom', detail: '"2024-02-30" is not a date (YYYY-MM-DD)' }]);
    const huge = validateOrganisationFactors([{ ...supplier, co2e: '1e999999' }], opts);
    expect(huge.ok ? [] : huge.errors).toEqual([{ pointer: '/factors/0/co2e', detail: 'is out of range' }]);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});
