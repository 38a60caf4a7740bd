import { calculateActivities, type ActivityInput, type CalculatedResult, type EmissionFactor, type GwpSet } from '@tally/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundledFactorSet, loadBundledGwpSets } from './index.ts';

/**
 * Travel, freight and waste as DESNZ and EPA publish them, calculated from the bundled files:
 * distance in miles or km, passenger.km, tonne.km against EPA's short ton-miles, tonnes against
 * EPA's short tons. The expected figures are the published values times exact unit conversions.
 */
describe('travel, freight and waste on the published factors', () => {
  let desnz: EmissionFactor[];
  let hub: EmissionFactor[];
  let gwp: GwpSet[];
  beforeAll(async () => {
    desnz = (await loadBundledFactorSet('desnz-2025')).result.factors;
    hub = (await loadBundledFactorSet('epa-hub-2025-r2')).result.factors;
    gwp = await loadBundledGwpSets();
  });
  const calc = (factors: EmissionFactor[], rows: Omit<ActivityInput, 'id'>[]) =>
    calculateActivities({ activities: rows.map((r, i) => ({ ...r, id: String(i + 1) })), factors, gwpSetId: 'AR5', gwpSets: gwp }) as CalculatedResult[];

  it('cars by distance, rail by passenger.km, freight by tonne.km and waste by route (DESNZ 2025)', () => {
    const [carMiles, carKm, rail, hgv, waste] = calc(desnz, [
      { activityType: 'business-travel-land/cars-by-size/medium-car/petrol', quantity: '100', unit: 'miles', region: 'GB', year: 2025 },
      { activityType: 'business-travel-land/cars-by-size/medium-car/petrol', quantity: '250', unit: 'km', region: 'GB', year: 2025 },
      { activityType: 'business-travel-land/rail/national-rail', quantity: '1000', unit: 'passenger.km', region: 'GB', year: 2025 },
      { activityType: 'freighting-goods/hgv-all-diesel/all-hgvs/average-laden', quantity: '5000', unit: 'tkm', region: 'GB', year: 2025 },
      { activityType: 'waste-disposal/refuse/commercial-and-industrial-waste/landfill', quantity: '2', unit: 'tonnes', region: 'GB', year: 2025 },
    ]);
    expect(carMiles).toMatchObject({ co2eKg: '28.121', unitFrom: 'mile', unitTo: 'mile' });
    expect(carKm).toMatchObject({ co2eKg: '43.685', unitTo: 'km' });
    expect(rail).toMatchObject({ co2eKg: '35.46', category: '3.6 Business travel' });
    expect(hgv).toMatchObject({ co2eKg: '508.15', category: '3.4 Upstream transportation and distribution' });
    expect(waste).toMatchObject({ co2eKg: '1041.0654', category: '3.5 Waste generated in operations' });
  });

  it('EPA freight in short ton-miles and waste in short tons, from metric quantities', () => {
    const [truck, msw] = calc(hub, [
      { activityType: 'transport/medium-and-heavy-duty-truck', quantity: '1000', unit: 'tonne.km', region: 'US', year: 2025 },
      { activityType: 'waste/mixed-msw/landfilled', quantity: '10', unit: 'tonnes', region: 'US', year: 2025 },
    ]);
    // 1 short ton-mile = 0.90718474 t x 1.609344 km exactly; per gas: CO2 0.186, CH4 0.0000016, N2O 0.0000054 kg
    expect(truck).toMatchObject({ unitTo: 'short_ton_mile', unitMultiplier: '0.684944493485785452715435', co2eKg: '128.410516871842', co2eMethod: 'sum_of_gases' });
    expect(msw).toMatchObject({ unitTo: 'short_ton', unitMultiplier: '1.102311310924387903614869', co2eKg: '6393.40560336145' });
  });
});
