import { describe, expect, it } from 'vitest';
import { buildTrend, change, exceedsRestatementThreshold } from './trend.ts';

const figs = (scope1: string, scope2LocationBased: string, scope3: string) => ({
  scope1, scope2LocationBased, scope3, co2eKg: String(Number(scope1) + Number(scope2LocationBased) + Number(scope3)),
});

describe('trend', () => {
  it('gives year-over-year and vs-base-year changes, absolute and in percent', () => {
    const t = buildTrend({
      baseYear: 2020,
      years: [
        { year: 2022, run: 'r22', figures: figs('80', '40', '300') },
        { year: 2019, run: 'r19', figures: figs('1', '1', '1') },
        { year: 2020, run: 'r20', figures: figs('100', '50', '350') },
        { year: 2021, run: null, figures: null },
        { year: 2023, run: 'r23', figures: figs('70', '30', '310') },
      ],
      recorded: { runId: 'r20', ...figs('100', '50', '350') },
      current: { runId: 'r20', ...figs('100', '50', '350') },
      threshold: '0.05',
    });
    expect(t.years.map((y) => y.year)).toEqual([2020, 2021, 2022, 2023]);
    expect(t.baseYearBasis).toBe('recorded');
    expect(t.years[0]!.vsPreviousYear).toBeNull();
    expect(t.years[0]!.vsBaseYear!.co2eKg).toEqual({ change: '0', pct: '0' });
    expect(t.years[2]!.vsPreviousYear).toBeNull(); // 2021 has no run
    expect(t.years[2]!.vsBaseYear).toEqual({
      scope1: { change: '-20', pct: '-20' }, scope2LocationBased: { change: '-10', pct: '-20' }, scope3: { change: '-50', pct: '-14.2857' }, co2eKg: { change: '-80', pct: '-16' },
    });
    expect(t.years[3]!.vsPreviousYear!.co2eKg).toEqual({ change: '-10', pct: '-2.381' });
    expect(t.restatement).toMatchObject({ baseYear: 2020, change: { change: '0', pct: '0' }, threshold: '0.05', exceedsThreshold: false });
  });

  it('flags a restated base year that moves the total by more than the threshold, not one within it', () => {
    const recorded = { runId: 'a', ...figs('600', '200', '200') };
    const within = buildTrend({ baseYear: 2020, years: [], recorded, current: { runId: 'b', ...figs('640', '200', '200') }, threshold: '0.05' });
    expect(within.restatement).toMatchObject({ change: { change: '40', pct: '4' }, exceedsThreshold: false });
    const over = buildTrend({ baseYear: 2020, years: [], recorded, current: { runId: 'c', ...figs('660', '200', '200') }, threshold: '0.05' });
    expect(over.restatement).toMatchObject({ change: { change: '60', pct: '6' }, exceedsThreshold: true });
    // exactly at the threshold is not over it; a lower threshold catches 4%
    expect(exceedsRestatementThreshold('1000', '1050', '0.05')).toBe(false);
    expect(exceedsRestatementThreshold('1000', '949.999', '0.05')).toBe(true);
    expect(buildTrend({ baseYear: 2020, years: [], recorded, current: { runId: 'b', ...figs('640', '200', '200') }, threshold: '0.03' }).restatement.exceedsThreshold).toBe(true);
    expect(exceedsRestatementThreshold('0', '0', '0.05')).toBe(false);
    expect(exceedsRestatementThreshold('0', '1', '0.05')).toBe(true);
    expect(change('0', '5')).toEqual({ change: '5', pct: null });
  });

  it('compares with the base year\'s current figures until a figure is recorded', () => {
    const t = buildTrend({ baseYear: 2020, years: [{ year: 2020, run: 'x', figures: figs('10', '0', '0') }, { year: 2021, run: 'y', figures: figs('12', '0', '0') }], recorded: null, current: { runId: 'x', ...figs('10', '0', '0') }, threshold: '0.05' });
    expect(t.baseYearBasis).toBe('current');
    expect(t.years[1]!.vsBaseYear!.co2eKg).toEqual({ change: '2', pct: '20' });
    expect(t.restatement).toMatchObject({ recorded: null, change: null, exceedsThreshold: false });
  });
});
