import { readFile } from 'node:fs/promises';
import { FactorCatalogue, HOTEL_STAY_KEY, DESNZ_HOTEL_COUNTRIES, matchFactor } from '@tally/core';
import { parse } from 'csv-parse/sync';
import countries from 'i18n-iso-countries';
import { describe, expect, it } from 'vitest';
import { BUNDLED_FACTOR_SETS, loadBundledFactorSet } from './index.ts';

const DESNZ = BUNDLED_FACTOR_SETS.filter((s) => s.kind === 'desnz');

/** The hotel rows of an edition as published: line -> country. */
async function hotelRows(file: string): Promise<Map<number, string>> {
  const records = parse(await readFile(file), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  const rows = new Map<number, string>();
  records.forEach((r, i) => {
    if (r['Level 1']?.trim() === 'Hotel stay') rows.set(i + 2, r['Level 3']!.trim());
  });
  return rows;
}

describe('DESNZ hotel stays, resolved by country (2017-2025)', () => {
  it('2025: a night in Australia resolves from hotel-stay/hotel-stay in AU to the published 35.00000', async () => {
    const { result } = await loadBundledFactorSet('desnz-2025');
    const catalogue = new FactorCatalogue(result.factors);
    const m = matchFactor(HOTEL_STAY_KEY, 'room nights', catalogue, { region: 'AU', year: 2025 });
    expect(m.kind).toBe('exact');
    if (m.kind !== 'exact') return;
    expect(m.factor).toMatchObject({ id: 'desnz-2025:29_600_4003_13', activityKey: 'hotel-stay/hotel-stay', region: 'AU', co2e: '35', unit: 'room_night', scope: 3, category: '3.6 Business travel' });
    expect(m.factor.sourceRows).toEqual([{ line: 7393, id: '29_600_4003_13_1', ghg: 'kg CO2e', value: '35.00000' }]);
    expect(m.resolution).toBe('region AU');
    // the old per-country key is gone
    expect(result.factors.some((f) => f.activityKey === 'hotel-stay/hotel-stay/australia')).toBe(false);
  });

  it('London (GB-LND) against the rest of the UK (GB, and any GB subdivision but London)', async () => {
    const catalogue = new FactorCatalogue((await loadBundledFactorSet('desnz-2025')).result.factors);
    const at = (region: string) => {
      const m = matchFactor(HOTEL_STAY_KEY, 'nights', catalogue, { region });
      return m.kind === 'exact' ? [m.factor.region, m.factor.co2e, m.factor.id] : [m.reason];
    };
    expect(at('GB-LND')).toEqual(['GB-LND', '11.5', 'desnz-2025:29_600_4001_13']);
    expect(at('GB')).toEqual(['GB', '10.4', 'desnz-2025:29_600_4000_13']);
    expect(at('GB-MAN')).toEqual(['GB', '10.4', 'desnz-2025:29_600_4000_13']);
    expect(at('HK')).toEqual(['HK', '51.5', 'desnz-2025:29_600_4019_13']); // "Hong Kong, China" 51.50000
    // Argentina is listed but blank in 2025: no factor, and no silent stand-in from another country.
    expect(at('AR')).toEqual(['NO_FACTOR_FOR_REGION']);
  });

  it('every hotel row of every edition maps to a region, is blank (skipped), or is reported with its old key kept', async () => {
    const unmapped: Record<string, string[]> = {};
    for (const set of DESNZ) {
      const { result } = await loadBundledFactorSet(set.meta.id);
      const rows = await hotelRows(set.file);
      if (set.meta.id === 'desnz-2016') expect(rows.size).toBe(0);
      const byLine = new Map(result.factors.flatMap((f) => f.sourceRows.map((r) => [r.line, f] as const)));
      const skipped = new Set(result.skipped.filter((s) => s.reason === 'NO_VALUE').map((s) => s.line));
      const cleaned = new Map((result.cleaned ?? []).map((c) => [c.line, c]));
      for (const [line, country] of rows) {
        const f = byLine.get(line);
        if (!f) {
          expect(skipped.has(line), `${set.meta.id} line ${line} ${country}`).toBe(true);
          continue;
        }
        if (f.activityKey === HOTEL_STAY_KEY) {
          const expected = DESNZ_HOTEL_COUNTRIES[country] ?? countries.getAlpha2Code(country, 'en');
          expect(f.region, `${set.meta.id} ${country}`).toBe(expected);
          expect(f.region).toMatch(/^[A-Z]{2}(-[A-Z]{3})?$/);
        } else {
          expect(cleaned.get(line)?.value, `${set.meta.id} ${country}`).toContain('has no ISO 3166 code');
          expect(f.region).toBe('GB');
          (unmapped[set.meta.id] ??= []).push(country);
        }
      }
      // one factor per (key, unit, region): two spellings of one country would collide here
      const hotels = result.factors.filter((f) => f.activityKey === HOTEL_STAY_KEY);
      expect(new Set(hotels.map((f) => f.region)).size, set.meta.id).toBe(hotels.length);
    }
    expect(unmapped).toEqual({
      'desnz-2017': ['Caribbean Region', 'Germany (Northern region)', 'Germany (Southern region)'],
      'desnz-2018': ['Caribbean Region'],
      'desnz-2019': ['Caribbean Region'],
      'desnz-2020': ['Caribbean Region'],
    });
  });
});
