import { describe, expect, it } from 'vitest';
import type { EmissionFactor } from '../factors/emissionFactor.ts';
import { FactorCatalogue, matchFactor, regionPath } from './matchFactor.ts';

const grid = (region: string, year: number, co2e: string): EmissionFactor => ({
  id: `g:${region}:${year}`, factorSetId: 'g', activityKey: 'grid', name: 'grid', scope: 2, category: 'c', region, year, unit: 'kWh', co2e,
  gasBasis: 'co2e', gwpBasis: 'AR5', gases: {}, sourceRef: `${region}-${year}`, sourceRows: [],
});
const catalogue = new FactorCatalogue([grid('FR', 2022, '0.08'), grid('FR', 2023, '0.056'), grid('US', 2023, '0.35'), grid('US-EGRID-CAMX', 2023, '0.2'), grid('GLOBAL', 2023, '0.48')]);

describe('factor resolution', () => {
  it('walks a region up to global', () => {
    expect(regionPath('us-egrid-camx')).toEqual(['US-EGRID-CAMX', 'US-EGRID', 'US', 'GLOBAL']);
    expect(regionPath('GB')).toEqual(['GB', 'GLOBAL']);
    expect(regionPath(undefined)).toEqual(['GLOBAL']);
  });

  it.each([
    [{ region: 'FR', year: 2023 }, 'g:FR:2023', 'region FR; year 2023'],
    [{ region: 'FR', year: 2025 }, 'g:FR:2023', 'region FR; year 2023 (nearest earlier than 2025)'],
    [{ region: 'FR', year: 2020 }, 'g:FR:2022', 'region FR; year 2022 (earliest available; none at or before 2020)'],
    [{ region: 'US-EGRID-CAMX', year: 2023 }, 'g:US-EGRID-CAMX:2023', 'region US-EGRID-CAMX'],
    [{ region: 'US-EGRID-NWPP', year: 2023 }, 'g:US:2023', 'region US (no factor for US-EGRID-NWPP, US-EGRID)'],
    [{ region: 'DE', year: 2023 }, 'g:GLOBAL:2023', 'region GLOBAL (no factor for DE)'],
  ])('%j -> %s', (ctx, id, resolution) => {
    const m = matchFactor('grid', 'kWh', catalogue, ctx);
    expect(m.kind === 'exact' && [m.factor.id, m.resolution]).toEqual([id, resolution]);
  });

  it('says when no region fits and there is no global factor', () => {
    const noGlobal = new FactorCatalogue([grid('FR', 2023, '0.056'), grid('US', 2023, '0.35')]);
    expect(matchFactor('grid', 'kWh', noGlobal, { region: 'DE', year: 2023 })).toMatchObject({ kind: 'unmatched', reason: 'NO_FACTOR_FOR_REGION' });
  });

  it("uses a single-region set's factor elsewhere and records it", () => {
    const uk = new FactorCatalogue([grid('GB', 2025, '0.177')]);
    const m = matchFactor('grid', 'MWh', uk, { region: 'IE', year: 2025 });
    expect(m.kind === 'exact' && m.resolution).toBe("region GB (the set's only region; activity in IE)");
  });
});
