import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.ts';
import { gwpOf, normaliseGas, type GwpSet } from './gases.ts';

describe('gas names', () => {
  it.each([
    ['HFC-134a', 'HFC134a'],
    ['hfc 134a', 'HFC134a'],
    ['R-134a', 'HFC134a'],
    ['R32', 'HFC32'],
    ['HCFC-22', 'HCFC22'],
    ['PFC-14', 'PFC14'],
    ['Methane', 'CH4'],
    ['carbon dioxide', 'CO2'],
    ['Nitrous oxide', 'N2O'],
    ['Sulphur hexafluoride', 'SF6'],
    ['R-404A', 'R404A'],
    ['Carbon tetrafluoride', 'CF4'],
    ['Perfluorocyclobutane', 'cC4F8'],
    ['c-C4F8', 'cC4F8'],
    ['HFCs and PFCs, unspecified', 'CO2e_unspecified'],
  ])('%s -> %s', (input, expected) => expect(normaliseGas(input)).toBe(expected));

  it('looks GWPs up through aliases; CO2 is 1; a missing gas is an error', () => {
    const set: GwpSet = { id: 'AR5', name: 'x', horizonYears: 100, source: 'x', values: { CH4: '28', HFC134a: '1300' } };
    expect(gwpOf(set, 'R-134a')).toBe('1300');
    expect(gwpOf(set, 'co2')).toBe('1');
    expect(() => gwpOf(set, 'SF6')).toThrowError(CoreError);
  });
});
