import { calculateActivities, normaliseGas, type CalculatedResult } from '@tally/core';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, loadBundledFactorSet, loadBundledGwpSets } from './index.ts';

describe('US EPA GHG Emission Factors Hub 2025', () => {
  it('stores combustion factors as kg of each gas per unit, read from the published grams and kg', async () => {
    const { result } = await loadBundledFactorSet('epa-hub-2025-r2');
    const ng = result.factors.filter((f) => f.activityKey === 'stationary-combustion/natural-gas/natural-gas');
    expect(ng.map((f) => [f.unit, f.gases])).toEqual([
      ['MMBtu', { CO2: '53.06', CH4: '0.001', N2O: '0.0001' }],
      ['scf', { CO2: '0.05444', CH4: '0.00000103', N2O: '0.0000001' }],
    ]);
    expect(ng[0]).toMatchObject({ gasBasis: 'mass', co2e: null, region: 'US', scope: 1 });
  });

  it('converts eGRID2023 lb/MWh to kg/MWh exactly, per subregion, and keeps non-baseload rates out', async () => {
    const { result } = await loadBundledFactorSet('epa-hub-2025-r2');
    const grid = result.factors.filter((f) => f.activityKey === 'electricity/grid-average-location-based');
    expect(grid).toHaveLength(28); // 27 eGRID2023 subregions and the US average
    const us = grid.find((f) => f.region === 'US')!;
    expect(us.gases.CO2).toBe('349.95694607951'); // 771.523 lb x 0.45359237 kg/lb
    expect(grid.find((f) => f.region === 'US-EGRID-CAMX')).toBeDefined();
    expect(result.skipped.filter((s) => s.reason === 'NOT_FOR_INVENTORIES')).toHaveLength(28);
  });

  it('calculates a US kWh and an MMBtu of natural gas under AR5', async () => {
    const { result } = await loadBundledFactorSet('epa-hub-2025-r2');
    const gwpSets = await loadBundledGwpSets();
    const us = result.factors.filter((f) => f.region === 'US' || f.activityKey !== 'electricity/grid-average-location-based');
    const [gas, kwh] = calculateActivities({
      activities: [
        { id: '1', activityType: 'stationary-combustion/natural-gas/natural-gas', quantity: '1', unit: 'MMBtu' },
        { id: '2', activityType: 'electricity/grid-average-location-based', quantity: '1000', unit: 'kWh' },
      ],
      factors: us,
      gwpSetId: 'AR5',
      gwpSets,
    }) as CalculatedResult[];
    expect(gas).toMatchObject({ co2eKg: '53.1145', co2eMethod: 'sum_of_gases' }); // 53.06 + 0.001*28 + 0.0001*265
    // (771.523 + 0.057 x 28 + 0.008 x 265) lb x 0.45359237
    expect(kwh!.co2eKg).toBe('351.64249532643');
  });

  it('reports the CO2 of burning biomass outside the scopes, its CH4 and N2O in Scope 1; peat stays fossil', async () => {
    const { result } = await loadBundledFactorSet('epa-hub-2025-r2');
    const of = (key: string, unit: string) => result.factors.find((f) => f.activityKey === key && f.unit === unit);
    expect(of('stationary-combustion/biomass-fuels-solid/wood-and-wood-residuals', 'short_ton')).toMatchObject({ scope: 1, gases: { CH4: '0.126', N2O: '0.063' } });
    expect(of('outside-of-scopes/stationary-combustion/biomass-fuels-solid/wood-and-wood-residuals', 'short_ton')).toMatchObject({ scope: null, category: 'Outside of scopes', gases: { CO2: '1640' } });
    expect(of('stationary-combustion/biomass-fuels-solid/peat', 'short_ton')).toMatchObject({ scope: 1, gases: { CO2: '895' } });
    // Table 2's biofuels: CO2 only, so outside the scopes alone (their CH4 and N2O are Table 4's, per mile).
    expect(of('mobile-combustion-co2/biodiesel-100', 'us_gal')).toBeUndefined();
    expect(of('outside-of-scopes/mobile-combustion-co2/biodiesel-100', 'us_gal')).toMatchObject({ scope: null, gases: { CO2: '9.45' } });
    expect(of('mobile-combustion-co2/diesel-fuel', 'us_gal')).toMatchObject({ scope: 1, gases: { CO2: '10.21' } });
    // No Scope 1 factor of the set carries biomass CO2.
    const biomass = result.factors.filter((f) => f.scope === 1 && /biomass-fuels-(?!solid\/peat)/.test(f.activityKey));
    expect(biomass.length).toBeGreaterThan(20);
    expect(biomass.filter((f) => f.gases.CO2 !== undefined)).toEqual([]);
  });

  it('waste factors are metric tons CO2e (AR4) per short ton; NA stays out', async () => {
    const { result } = await loadBundledFactorSet('epa-hub-2025-r2');
    const cans = result.factors.find((f) => f.activityKey === 'waste/aluminum-cans/recycled')!;
    expect(cans).toMatchObject({ co2e: '60', unit: 'short_ton', gwpBasis: 'AR4', gasBasis: 'co2e' });
    expect(result.skipped.some((s) => s.reason === 'NOT_AVAILABLE' && s.detail.startsWith('Waste > Aluminum Cans > Composted'))).toBe(true);
  });

  it('states gases leaked (Table 11) and refrigerant blends (Table 12) per kg as gas masses, so any GWP set weighs them', async () => {
    const { result } = await loadBundledFactorSet('epa-hub-2025-r2');
    const fugitive = result.factors.filter((f) => f.category === '1 Fugitive emissions');
    expect(fugitive).toHaveLength(32 + 30);
    const byKey = (key: string) => fugitive.find((f) => f.activityKey === key)!;
    expect(byKey('refrigerants-and-other-gases/hfc-134a')).toMatchObject({ unit: 'kg', scope: 1, co2e: '1300', gwpBasis: 'AR5', gasBasis: 'mass', gases: { HFC134a: '1' } });
    expect(byKey('refrigerants-and-other-gases/pfc-14').gases).toEqual({ CF4: '1' }); // by its formula
    // A blend's Kyoto gases alone, as the Hub's GWP counts them: R-401A's 18 is its 13% HFC-152a (138 x 0.13 = 17.94).
    expect(byKey('refrigerant-blends/r-401a').gases).toEqual({ HFC152a: '0.13' });
    expect(byKey('refrigerant-blends/r-410a').gases).toEqual({ HFC32: '0.5', HFC125: '0.5' });
    // No Kyoto gas (HCFCs and isobutane): 0 as published.
    expect(byKey('refrigerant-blends/r-406a')).toMatchObject({ co2e: '0', gasBasis: 'co2e', gases: {} });
    // Its masses do not give the published 3104 under AR5 (2212): the published total alone.
    expect(byKey('refrigerant-blends/r-424a')).toMatchObject({ co2e: '3104', gasBasis: 'co2e', gases: {} });

    const gwpSets = await loadBundledGwpSets();
    const leak = (gwpSetId: string) =>
      (calculateActivities({ activities: [{ id: '1', activityType: 'refrigerant-blends/r-410a', quantity: '10', unit: 'lb' }], factors: fugitive, gwpSetId, gwpSets }) as CalculatedResult[])[0]!;
    const ar6 = gwpSets.find((s) => s.id === 'AR6')!.values;
    // Under the Hub's own AR5 the published 1924 per kg; under AR6 half HFC-32 and half HFC-125. 10 lb = 4.5359237 kg.
    expect(leak('AR5').co2eKg).toBe('8727.1171988');
    expect(Number(leak('AR6').co2eKg)).toBeCloseTo(4.5359237 * 0.5 * (Number(ar6.HFC32) + Number(ar6.HFC125)), 6);
    expect(leak('AR6')).toMatchObject({ co2eMethod: 'sum_of_gases' });
  });

  it("EPA's AR5 table agrees with the bundled IPCC AR5 set for every gas both name", async () => {
    const epa = parse(await readFile(`${DATA_DIR}epa-hub/table11_gwp_ar5_100yr.csv`), { columns: true }) as Record<string, string>[];
    const ar5 = (await loadBundledGwpSets()).find((s) => s.id === 'AR5')!.values;
    let compared = 0;
    for (const r of epa) {
      const gas = normaliseGas(r.formula || r.name || '');
      if (gas === 'CO2' || ar5[gas] === undefined) continue;
      expect(ar5[gas], gas).toBe(r.gwp_100yr_ar5);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });
});
