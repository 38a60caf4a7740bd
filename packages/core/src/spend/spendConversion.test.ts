import { describe, expect, it } from 'vitest';
import { spendConversion, type EconomicTables } from './spendConversion.ts';

const tables: EconomicTables = {
  exchangeRates: [
    { currency: 'EUR', year: 2023, usdPerUnit: '1.0813', source: 'fx' },
    { currency: 'EUR', year: 2024, usdPerUnit: '1.0822', source: 'fx' },
    { currency: 'GBP', year: 2024, usdPerUnit: '1.2781', source: 'fx' },
  ],
  priceIndices: [
    { indexId: 'US-CPI-U', currency: 'USD', year: 2022, value: '292.655', source: 'bls' },
    { indexId: 'US-CPI-U', currency: 'USD', year: 2024, value: '313.689', source: 'bls' },
  ],
};
const USD2022 = { currency: 'USD', year: 2022, price: 'purchaser' as const };

describe('spendConversion', () => {
  it('converts at the spend year rate, then deflates to the base year, step by step', () => {
    const c = spendConversion({ currency: 'EUR', year: 2024 }, USD2022, tables);
    expect(c.steps.map((s) => s.step)).toEqual(['exchange_rate', 'price_index']);
    expect(c.steps[0]).toMatchObject({ from: 'EUR', to: 'USD', year: 2024, rateYear: 2024, multiplier: '1.0822' });
    expect(c.steps[1]).toMatchObject({ indexId: 'US-CPI-U', fromYear: 2024, toYear: 2022, fromValue: '313.689', toValue: '292.655' });
    // 1.0822 x 292.655 / 313.689: the division rounds at 24 dp half-even, the product is exact
    expect(c.multiplier).toBe('1.0096345138018865819330615126'); // ratio 0.932946325819521883139033 (24 dp) x 1.0822, exact
    expect(c.notes).toEqual([]);
  });

  it('needs no step for dollars of the base year, and only the index for other years', () => {
    expect(spendConversion({ currency: 'USD', year: 2022 }, USD2022, tables)).toEqual({ multiplier: '1', steps: [], notes: [] });
    expect(spendConversion({ currency: 'USD', year: 2024 }, USD2022, tables).steps.map((s) => s.step)).toEqual(['price_index']);
  });

  it('takes the nearest earlier year and says so; refuses when there is none', () => {
    const c = spendConversion({ currency: 'EUR', year: 2025 }, { ...USD2022, year: 2024 }, tables);
    expect(c.notes).toEqual(['EUR rate of 2024 used for 2025 (nearest earlier year loaded)', 'US-CPI-U of 2024 used for 2025 (nearest earlier year loaded)']);
    expect(() => spendConversion({ currency: 'GBP', year: 2020 }, USD2022, tables)).toThrow('no exchange rate for GBP in or before 2020');
    expect(() => spendConversion({ currency: 'JPY', year: 2024 }, USD2022, tables)).toThrow(/no exchange rate for JPY/);
    expect(() => spendConversion({ currency: 'USD', year: 2024 }, { currency: 'EUR', year: 2022, price: 'purchaser' }, tables)).toThrow(/no price index for EUR prices/);
  });
});
