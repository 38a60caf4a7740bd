import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.ts';
import { convertQuantity, findUnit, unitConversion } from './convertUnit.ts';
import { UNIT_TABLE } from './unitTable.ts';

describe('unit table', () => {
  it.each([
    ['kWh', 'MJ', '1', '3.6'],
    ['therm', 'MJ', '1', '105.505585262'],
    ['MMBtu', 'kWh', '1', '293.071070172222222222222222'],
    ['MWh', 'kWh', '2.5', '2500'],
    ['litres', 'm3', '1500', '1.5'],
    ['US gallons', 'litres', '10', '37.85411784'],
    ['miles', 'km', '100', '160.9344'],
    ['short tons', 'tonnes', '1', '0.90718474'],
    ['lb', 'kg', '1', '0.45359237'],
    ['pkm', 'passenger.km', '3', '3'],
    ['passenger miles', 'passenger.km', '1', '1.609344'],
    ['tkm', 'tonne.km', '7', '7'],
    ['Room per night', 'room nights', '2', '2'],
    ['sq ft year', 'm2.year', '1000', '92.90304'],
  ])('%s -> %s: %s gives %s', (from, to, q, expected) => {
    expect(convertQuantity(q, from, to).toFixed()).toBe(expected);
  });

  it('finds units by code, label or alias, ignoring case and spacing', () => {
    expect(findUnit('kWh (Gross CV)')?.code).toBe('kWh_gross');
    expect(findUnit('  KWH  ')?.code).toBe('kWh');
    expect(findUnit('cubic metres')?.code).toBe('m3');
    expect(findUnit('tonne.km')?.code).toBe('tonne_km');
    expect(findUnit('parsecs')).toBeUndefined();
  });

  it('refuses ambiguous tons and gallons rather than guessing', () => {
    expect(findUnit('ton')).toBeUndefined();
    expect(findUnit('gallon')).toBeUndefined();
  });

  it('names both units when they are incompatible', () => {
    expect(() => unitConversion('litres', 'kWh')).toThrowError(/cannot convert litres \(volume\) to kWh \(energy\)/);
    try {
      unitConversion('GBP', 'USD');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CoreError);
      expect((e as CoreError).code).toBe('UNIT.INCOMPATIBLE');
      expect((e as CoreError).details).toEqual({ from: 'GBP', to: 'USD' });
    }
  });

  it('takes unqualified energy as gross CV and records the assumption; never mixes net and gross', () => {
    expect(unitConversion('kWh', 'kWh (Gross CV)')).toEqual({ from: 'kWh', to: 'kWh_gross', multiplier: '1', assumption: 'energy without a calorific-value basis taken as gross CV' });
    expect(unitConversion('MWh', 'kWh (Gross CV)').multiplier).toBe('1000');
    expect(() => unitConversion('kWh (Net CV)', 'kWh (Gross CV)')).toThrowError(CoreError);
    expect(() => unitConversion('kWh', 'kWh (Net CV)')).toThrowError(/calorific-value bases differ/);
  });

  it('every unit has a positive exact factor and a source', () => {
    for (const u of UNIT_TABLE) {
      expect(u.toBase, u.code).toMatch(/^\d+(\.\d+)?$/);
      expect(Number(u.toBase), u.code).toBeGreaterThan(0);
      expect(u.source.length, u.code).toBeGreaterThan(2);
    }
  });

  it('round-trips within the division precision', () => {
    for (const [a, b] of [['km', 'mile'], ['kWh', 'therm'], ['litre', 'us_gal'], ['tonne', 'lb']] as const) {
      const there = convertQuantity('123.456', a, b);
      const back = convertQuantity(there, b, a);
      expect(back.minus('123.456').abs().lt('1e-18'), `${a}<->${b}`).toBe(true);
    }
  });
});
