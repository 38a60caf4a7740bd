import { Big } from '../decimal.ts';

/**
 * Base year and trend (GHG Protocol Corporate Standard, chapter 5): each year's totals from the
 * base year on, their change against the previous year and against the base year, and whether the
 * latest figures for the base year moved its total by more than the organisation's threshold
 * against the figure of record (a restatement to accept, or a reason to recalculate the base year).
 */

export const TREND_FIGURES = ['scope1', 'scope2LocationBased', 'scope3', 'co2eKg'] as const;
export type TrendFigure = (typeof TREND_FIGURES)[number];
/** kg CO2e: Scope 1, Scope 2 location-based, Scope 3 and their total. */
export type ScopeFigures = Record<TrendFigure, string>;

/** change: b - a (kg); pct: the change in percent of a, 4 places half-even (null when a is 0). */
export interface Change {
  change: string;
  pct: string | null;
}
export type FiguresChange = Record<TrendFigure, Change>;

export interface TrendYearInput<R> {
  year: number;
  run: R | null;
  figures: ScopeFigures | null;
}

export interface TrendYear<R> extends TrendYearInput<R> {
  vsPreviousYear: FiguresChange | null;
  vsBaseYear: FiguresChange | null;
}

export interface Restatement<Rec, Cur> {
  baseYear: number;
  /** The base-year figure of record (null until the base year has a complete run). */
  recorded: (Rec & ScopeFigures) | null;
  /** The latest complete run of the base year. */
  current: (Cur & ScopeFigures) | null;
  change: Change | null;
  threshold: string;
  exceedsThreshold: boolean;
}

export interface Trend<R, Rec, Cur> {
  baseYear: number;
  /** What vsBaseYear compares with. */
  baseYearBasis: 'recorded' | 'current' | null;
  years: TrendYear<R>[];
  restatement: Restatement<Rec, Cur>;
}

export function change(a: string, b: string): Change {
  const d = new Big(b).minus(a);
  const base = new Big(a);
  return { change: d.toFixed(), pct: base.eq(0) ? null : d.times(100).div(base).round(4, Big.roundHalfEven).toFixed() };
}

function figuresChange(a: ScopeFigures, b: ScopeFigures): FiguresChange {
  return { scope1: change(a.scope1, b.scope1), scope2LocationBased: change(a.scope2LocationBased, b.scope2LocationBased), scope3: change(a.scope3, b.scope3), co2eKg: change(a.co2eKg, b.co2eKg) };
}

/** |current - recorded| > threshold x |recorded|; a recorded 0 is exceeded by any other figure. */
export function exceedsRestatementThreshold(recorded: string, current: string, threshold: string): boolean {
  const d = new Big(current).minus(recorded).abs();
  return d.gt(new Big(recorded).abs().times(threshold));
}

/**
 * The trend from per-year figures (years in any order; missing years are kept with null figures).
 * vsBaseYear compares with the figure of record when there is one, else with the base year's
 * current figures. Pure.
 */
export function buildTrend<R, Rec, Cur>(input: {
  baseYear: number;
  years: readonly TrendYearInput<R>[];
  recorded: (Rec & ScopeFigures) | null;
  current: (Cur & ScopeFigures) | null;
  threshold: string;
}): Trend<R, Rec, Cur> {
  const sorted = [...input.years].filter((y) => y.year >= input.baseYear).sort((a, b) => a.year - b.year);
  const byYear = new Map(sorted.map((y) => [y.year, y]));
  const baseFigures = input.recorded ?? byYear.get(input.baseYear)?.figures ?? null;
  const years = sorted.map((y): TrendYear<R> => {
    const prev = byYear.get(y.year - 1)?.figures ?? null;
    return {
      ...y,
      vsPreviousYear: y.figures && prev ? figuresChange(prev, y.figures) : null,
      vsBaseYear: y.figures && baseFigures ? figuresChange(baseFigures, y.figures) : null,
    };
  });
  const { recorded, current } = input;
  return {
    baseYear: input.baseYear,
    baseYearBasis: input.recorded ? 'recorded' : baseFigures ? 'current' : null,
    years,
    restatement: {
      baseYear: input.baseYear,
      recorded,
      current,
      change: recorded && current ? change(recorded.co2eKg, current.co2eKg) : null,
      threshold: input.threshold,
      exceedsThreshold: recorded !== null && current !== null && exceedsRestatementThreshold(recorded.co2eKg, current.co2eKg, input.threshold),
    },
  };
}
