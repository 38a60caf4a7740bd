import { describe, expect, it } from 'vitest';
import { calculationMethodOf, rateDataQuality, weightedDataQuality, type DataQualityFacts } from './dataQuality.ts';

const base: DataQualityFacts = { kind: 'published', hasPriceBasis: false, unit: 'kWh', matchMethod: 'direct', factorRegion: 'GB', activityRegion: 'GB', factorYear: 2024, activityYear: 2024 };

describe('calculation method', () => {
  it('is supplier-specific for supplier factors and contractual instruments, spend-based for money, else activity-based', () => {
    expect(calculationMethodOf({ kind: 'supplier_specific', hasPriceBasis: false, unit: 'tonne' })).toBe('supplier_specific');
    expect(calculationMethodOf({ kind: 'contractual_instrument', hasPriceBasis: false, unit: 'kWh' })).toBe('supplier_specific');
    expect(calculationMethodOf({ kind: 'published', hasPriceBasis: true, unit: 'USD' })).toBe('spend_based');
    expect(calculationMethodOf({ kind: 'custom', hasPriceBasis: false, unit: 'GBP' })).toBe('spend_based');
    expect(calculationMethodOf({ kind: 'residual_mix', hasPriceBasis: false, unit: 'kWh' })).toBe('activity_based');
    expect(calculationMethodOf({ kind: null, hasPriceBasis: false, unit: 'litres' })).toBe('activity_based');
  });
});

describe('data quality rating of a row', () => {
  it('rates technology by method, one step poorer when the factor was found by text', () => {
    expect(rateDataQuality(base).technological).toBe(2);
    expect(rateDataQuality({ ...base, kind: 'supplier_specific' }).technological).toBe(1);
    expect(rateDataQuality({ ...base, hasPriceBasis: true, unit: 'USD' }).technological).toBe(4);
    expect(rateDataQuality({ ...base, hasPriceBasis: true, unit: 'USD', matchMethod: 'text' }).technological).toBe(5);
    expect(rateDataQuality({ ...base, matchMethod: 'code' }).technological).toBe(2);
  });

  it('rates geography by how the factor region relates to the activity region', () => {
    expect(rateDataQuality(base).geographical).toBe(1);
    expect(rateDataQuality({ ...base, factorRegion: 'US-EGRID-CAMX', activityRegion: 'us-egrid-camx' }).geographical).toBe(1);
    expect(rateDataQuality({ ...base, factorRegion: 'US', activityRegion: 'US-EGRID-CAMX' }).geographical).toBe(2);
    expect(rateDataQuality({ ...base, factorRegion: 'GLOBAL' }).geographical).toBe(3);
    expect(rateDataQuality({ ...base, factorRegion: 'GB', activityRegion: 'FR' }).geographical).toBe(4);
    expect(rateDataQuality({ ...base, kind: 'supplier_specific', factorRegion: 'GLOBAL' }).geographical).toBe(2);
  });

  it('rates time by the gap between factor year and activity year', () => {
    const t = (factorYear: number) => rateDataQuality({ ...base, factorYear }).temporal;
    expect([2024, 2023, 2022, 2025, 2021, 2019, 2018, 2014, 2013].map(t)).toEqual([1, 2, 2, 2, 3, 3, 4, 4, 5]);
  });
});

describe('CO2e-weighted rating', () => {
  it('weights each indicator by CO2e, exactly, with one rounding', () => {
    expect(
      weightedDataQuality([
        { technological: 1, geographical: 1, temporal: 1, co2eKg: '30' },
        { technological: 4, geographical: 4, temporal: 2, co2eKg: '10' },
      ]),
    ).toEqual({ technological: '1.75', geographical: '1.75', temporal: '1.25', overall: '1.58', co2eKg: '40' });
    expect(weightedDataQuality([])).toEqual({ technological: null, geographical: null, temporal: null, overall: null, co2eKg: '0' });
  });
});
