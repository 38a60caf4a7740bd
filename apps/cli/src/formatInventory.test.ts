import { describe, expect, it } from 'vitest';
import { formatInventory, type InventoryResponse } from './formatInventory.ts';

describe('formatInventory', () => {
  it('prints gas masses in tonnes, and a mass above zero too small for 4 places as <0.0001, not 0.0000', () => {
    const inv = {
      source: 'postgres',
      run: { id: 'r1', factorSetId: 'desnz-2025', gwpSetId: 'AR5' },
      period: { start: '2024-01-01', end: '2024-12-31' },
      consolidationApproach: 'operational_control',
      byScopeCategory: [{ scope: 1, category: '1 Stationary combustion', co2eKg: '1500' }],
      byScope: [{ scope: 1, co2eKg: '1500' }],
      totals: { co2eKg: '1500', activities: 2, calculated: 2, unmatched: 0, failed: 0 },
      byGas: [
        { gas: 'CO2', kg: '1498.5' },
        { gas: 'HFC23', kg: '0.00002' },
        { gas: 'SF6', kg: '0' },
      ],
      unmatched: [],
    } as unknown as InventoryResponse;
    const text = formatInventory('Acme', inv);
    expect(text).toContain('by gas (mass, t): CO2 1.4985, HFC23 <0.0001, SF6 0.0000');
    expect(text).toMatch(/^Total +1\.500$/m);
  });
});
