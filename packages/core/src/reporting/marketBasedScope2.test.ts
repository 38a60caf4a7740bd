import { describe, expect, it } from 'vitest';
import { Big } from '../decimal.ts';
import { allocateMarketBasedScope2, energyCarrierOf, marketFactorPerKWh, type MarketFactor, type Scope2ConsumptionRow } from './marketBasedScope2.ts';

const row = (o: Partial<Scope2ConsumptionRow>): Scope2ConsumptionRow => ({
  entityCode: 'A', weightPct: '100', region: 'GB', month: '2024-03', supplier: '', category: '2 Purchased electricity', unit: 'kWh', quantity: '1000', locationCo2eKg: '200', activities: 1, ...o,
});
const rego = (o: Partial<MarketFactor> & { volumeMWh?: string; entityCodes?: string[]; validFrom?: string; validTo?: string } = {}): MarketFactor => {
  const { volumeMWh = '1', entityCodes, validFrom = '2024-01-01', validTo = '2024-12-31', ...f } = o;
  return {
    id: 'set:rego', name: 'REGO', kind: 'contractual_instrument', category: '2 Purchased electricity', region: 'GB', year: 2024, co2ePerKWh: '0',
    instrument: { type: 'EAC', trackingSystem: 'REGO', volumeMWh, validFrom, validTo, ...(entityCodes ? { entityCodes } : {}) },
    ...f,
  };
};
const residual = (o: Partial<MarketFactor> = {}): MarketFactor => ({ id: 'set:rm', name: 'GB residual mix', kind: 'residual_mix', category: '2 Purchased electricity', region: 'GB', year: 2024, co2ePerKWh: '0.4', ...o });

describe('market-based Scope 2 allocation', () => {
  it('covers consumption with certificates up to their MWh, the rest at the residual mix', () => {
    // 1500 kWh; REGO 1 MWh at 0 covers 1000 kWh; 500 kWh x 0.4 = 200
    const m = allocateMarketBasedScope2([row({ quantity: '1.5', unit: 'MWh', locationCo2eKg: '300' })], [rego(), residual()]);
    expect(m).toMatchObject({ co2eKg: '200', consumptionKWh: '1500', coveredKWh: '1000', residualKWh: '500', fallbackToLocationKWh: '0', unusedCertificatesMWh: '0', activities: 1 });
    expect(m.byInstrument).toEqual([
      { kind: 'contractual_instrument', factorId: 'set:rego', name: 'REGO', region: 'GB', instrumentType: 'EAC', trackingSystem: 'REGO', kWh: '1000', co2eKg: '0', volumeMWh: '1', usedMWh: '1', unusedMWh: '0' },
      { kind: 'residual_mix', factorId: 'set:rm', name: 'GB residual mix', region: 'GB', kWh: '500', co2eKg: '200' },
    ]);
  });

  it('never uses a certificate twice and reports the surplus as unused', () => {
    const rows = [row({ entityCode: 'A', quantity: '700' }), row({ entityCode: 'B', quantity: '600' })];
    const m = allocateMarketBasedScope2(rows, [rego({ volumeMWh: '1' }), residual()]);
    // 1000 of 1300 kWh covered, 300 x 0.4 = 120
    expect(m).toMatchObject({ co2eKg: '120', coveredKWh: '1000', residualKWh: '300', unusedCertificatesMWh: '0' });
    const surplus = allocateMarketBasedScope2([row({ quantity: '400' })], [rego({ volumeMWh: '2.5' }), residual()]);
    expect(surplus).toMatchObject({ co2eKg: '0', coveredKWh: '400', residualKWh: '0', unusedCertificatesMWh: '2.1' });
    expect(surplus.byInstrument[0]).toMatchObject({ usedMWh: '0.4', unusedMWh: '2.1' });
  });

  it('falls back to the location-based figure, disclosed, when the region has no residual mix', () => {
    // FR: 1000 kWh, location 50 kg; 250 kWh covered by a FR GO; 750 kWh at location = 37.5
    const m = allocateMarketBasedScope2([row({ region: 'FR', locationCo2eKg: '50' })], [rego({ id: 'set:go', name: 'GO', region: 'FR', volumeMWh: '0.25' }), residual()]);
    expect(m).toMatchObject({ co2eKg: '37.5', coveredKWh: '250', residualKWh: '0', fallbackToLocationKWh: '750' });
    expect(m.byInstrument.at(-1)).toEqual({ kind: 'location_fallback', factorId: null, name: 'location-based grid average, FR (no residual mix)', region: 'FR', kWh: '750', co2eKg: '37.5' });
  });

  it("applies the supplier's own factor to its lines before any certificate", () => {
    const supplier: MarketFactor = { id: 'set:sup', name: 'Ecotricity fuel mix', kind: 'supplier_specific', category: '2 Purchased electricity', region: 'GLOBAL', year: 2023, supplier: 'Ecotricity', co2ePerKWh: '0.05' };
    const rows = [row({ supplier: 'ecotricity ', quantity: '2000' }), row({ entityCode: 'B', quantity: '1000' })];
    const m = allocateMarketBasedScope2(rows, [rego(), residual(), supplier]);
    // supplier line 2000 x 0.05 = 100 (REGO left for B's 1000 kWh at 0)
    expect(m).toMatchObject({ co2eKg: '100', supplierSpecificKWh: '2000', coveredKWh: '1000', residualKWh: '0', unusedCertificatesMWh: '0' });
    expect(m.byInstrument.map((l) => [l.kind, l.kWh, l.co2eKg])).toEqual([['supplier_specific', '2000', '100'], ['contractual_instrument', '1000', '0']]);
  });

  it('does not cover consumption outside the certificate region, validity period or entities', () => {
    const rows = [row({ region: 'IE' }), row({ month: '2023-12' }), row({ entityCode: 'Z' })];
    const m = allocateMarketBasedScope2(rows, [rego({ volumeMWh: '10', entityCodes: ['A'] }), residual({ id: 'set:rm-ie', region: 'IE' }), residual({ id: 'set:rm-2023', year: 2023, co2ePerKWh: '0.5' })]);
    // IE 1000 x 0.4 at the IE residual mix; GB 2023-12 and entity Z (2024) at the GB 2023 residual mix, 0.5, the latest not after their year
    expect(m).toMatchObject({ coveredKWh: '0', residualKWh: '3000', co2eKg: '1400', unusedCertificatesMWh: '10' });
    // a certificate valid only part of a month does not cover it
    const partial = allocateMarketBasedScope2([row({ month: '2024-06' })], [rego({ validFrom: '2024-06-15' }), residual()]);
    expect(partial).toMatchObject({ coveredKWh: '0', residualKWh: '1000', unusedCertificatesMWh: '1' });
  });

  it('allocates at 100% and weights the result by ownership (equity share)', () => {
    // entity S owned 60%: 1000 kWh, 800 covered, 200 x 0.4 = 80 at 100% → 48
    const m = allocateMarketBasedScope2([row({ entityCode: 'S', weightPct: '60' })], [rego({ volumeMWh: '0.8' }), residual()]);
    expect(m).toMatchObject({ co2eKg: '48', consumptionKWh: '600', coveredKWh: '480', residualKWh: '120', unusedCertificatesMWh: '0' });
    expect(m.byInstrument[0]).toMatchObject({ usedMWh: '0.8' });
  });

  it('ignores an instrument without a volume, never letting it cover everything', () => {
    const f = rego();
    const noVolume: MarketFactor = { ...f, id: 'set:pp', instrument: { type: 'PPA', validFrom: '2024-01-01', validTo: '2024-12-31' } };
    const m = allocateMarketBasedScope2([row({})], [noVolume, residual()]);
    expect(m).toMatchObject({ co2eKg: '400', coveredKWh: '0', ignoredFactors: [{ factorId: 'set:pp', reason: 'no volumeMWh: a certificate covers only the MWh it states' }] });
  });

  it('keeps heat apart from electricity and rows not in energy units at their location figure', () => {
    const rows = [row({ category: '2 Purchased heat and steam', locationCo2eKg: '170' }), row({ unit: 'GBP', quantity: '99', locationCo2eKg: '12', activities: 2 })];
    const m = allocateMarketBasedScope2(rows, [rego(), residual()]);
    expect(m).toMatchObject({ co2eKg: '182', coveredKWh: '0', fallbackToLocationKWh: '1000', notInEnergyUnits: { co2eKg: '12', activities: 2 }, activities: 3, unusedCertificatesMWh: '1' });
    expect(energyCarrierOf('Heat and steam')).toBe('heat_steam_cooling');
    expect(marketFactorPerKWh('350', 'MWh')).toBe('0.35');
    expect(marketFactorPerKWh('1', 'litres')).toBeNull();
  });

  it('gives the same digits whichever way the rows come: in any order, split, or summed without the lines no certificate reaches', () => {
    // Many entities, weights, regions, months and units: rows of DE and FR no certificate reaches.
    const rows: Scope2ConsumptionRow[] = [];
    for (let i = 0; i < 60; i++) {
      rows.push(row({
        entityCode: `E${i % 7}`, weightPct: ['100', '60.0000', '33.3333'][i % 3]!, region: ['GB', 'DE', 'FR'][i % 3]!, month: `2024-0${1 + (i % 9)}`,
        unit: i % 4 === 0 ? 'MWh' : i % 5 === 0 ? 'GJ' : 'kWh', quantity: `${(i * 37) % 1000}.${i}`, locationCo2eKg: `${(i * 11) % 500}.12345`, activities: 1 + (i % 3),
      }));
    }
    const factors = [rego({ volumeMWh: '3.5' }), residual(), residual({ id: 'set:rm-de', region: 'DE', co2ePerKWh: '0.3333' })];
    const m = allocateMarketBasedScope2(rows, factors);
    expect(allocateMarketBasedScope2([...rows].reverse(), factors)).toEqual(m);
    // each row in two halves: the same lines
    const halves = rows.flatMap((r) => {
      const q = new Big(r.quantity).div(2).toFixed();
      const c = new Big(r.locationCo2eKg).div(2).toFixed();
      return [{ ...r, quantity: q, locationCo2eKg: c, activities: 1 }, { ...r, quantity: q, locationCo2eKg: c, activities: r.activities - 1 }];
    });
    expect(allocateMarketBasedScope2(halves, factors)).toEqual(m);
    // a certificate of no volume in DE and FR makes their rows reachable, one line each: same figures
    const reachable = allocateMarketBasedScope2(rows, [...factors, rego({ id: 'set:de0', region: 'DE', volumeMWh: '0' }), rego({ id: 'set:fr0', region: 'FR', volumeMWh: '0' })]);
    expect({ ...reachable, byInstrument: reachable.byInstrument.filter((l) => l.volumeMWh !== '0') }).toEqual(m);
    expect(m.byInstrument.map((l) => l.kind)).toEqual(['contractual_instrument', 'residual_mix', 'residual_mix', 'location_fallback']);
  });
});
