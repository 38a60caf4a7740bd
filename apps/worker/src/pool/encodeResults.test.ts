import type { ActivityResult } from '@tally/core';
import type { ChunkActivityRow } from '@tally/db';
import { describe, expect, it } from 'vitest';
import { packActivities, transferListOf, unpackActivities } from './columnar.ts';
import { encodeResults } from './encodeResults.ts';

const row = (id: string, over: Partial<ChunkActivityRow> = {}): ChunkActivityRow => ({
  id, activityType: 'diesel', quantity: '12.500', unit: 'litre', entityId: 'e1', periodStart: '2024-03-01', country: 'GB', supplier: null,
  amount: null, currency: null, attributes: null, description: null, account: null, category: null, ...over,
});

const calculated = (activityId: string, co2eKg: string, gasKg: Record<string, string>, over: Partial<ActivityResult> = {}): ActivityResult => ({
  activityId, status: 'calculated', factorId: 'f:1', factorSetId: 'f', factorSourceRef: '1', scope: 1, category: '1 Stationary combustion', unitFrom: 'litre',
  unitTo: 'litre', unitMultiplier: '1', unitAssumption: null, conversionSteps: null, method: null, co2eVariants: null, match: null, resolution: 'region GB; year 2024',
  gwpSetId: 'AR5', co2eMethod: 'published_total', co2eKg, gasKg, ...over,
} as ActivityResult);

describe('chunk columns and encoded results', () => {
  it('carries every field of every row through the columns unchanged', () => {
    const rows = [
      row('1'),
      row('9007199254740993', { quantity: '0.000000000001', amount: '100.25', currency: 'EUR', attributes: { location: 'FR' }, description: 'Tab\there, new\nline', supplier: 'Acme' }),
      row('3', { country: null, account: '6100', category: 'Travel', attributes: { location: 'FR' } }),
    ];
    const cols = packActivities(rows);
    expect(transferListOf(cols).every((b) => b instanceof ArrayBuffer)).toBe(true);
    expect(unpackActivities(structuredClone(cols))).toEqual(
      rows.map(({ entityId: _e, periodStart, country, ...a }) => ({ ...a, region: country, year: Number(periodStart.slice(0, 4)) })),
    );
  });

  it('writes each lineage once and each row as COPY text naming it, the gases split as the table keeps them', () => {
    const cols = packActivities([row('1'), row('2'), row('3', { entityId: 'e2' })]);
    const results: ActivityResult[] = [
      calculated('1', '2.5', { CO2: '2.4', CH4: '0.01', N2O: '0.001' }),
      calculated('2', '5', { CO2: '4.8', CH4: '0.02', N2O: '0.002', HFC23: '0.0000001' }),
      { activityId: '3', status: 'unmatched', reason: 'NO_MATCH', detail: 'no factor fits "x\\y"', gwpSetId: 'AR5', match: null },
    ];
    const out = encodeResults({ runId: 'r', orgId: 'o', chunkNo: 7 }, cols, results);
    expect(out.counts).toEqual({ status: { calculated: 2, unmatched: 1, failed: 0 }, matched: {} });
    expect(out.lineages).toHaveLength(2);
    const [a, b] = out.lineages;
    expect(a).toMatchObject({ status: 'calculated', factorId: 'f:1', resolution: 'region GB; year 2024', reason: null });
    expect(b).toMatchObject({ status: 'unmatched', factorId: null, reason: 'NO_MATCH', detail: 'no factor fits "x\\y"' });
    expect(a!.lineageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new TextDecoder().decode(out.copyText).split('\n')).toEqual([
      `r\t1\to\te1\t2024-03-01\t7\t${a!.lineageId}\t2.5\t2.4\t0.01\t0.001\t{}\t\\N`,
      `r\t2\to\te1\t2024-03-01\t7\t${a!.lineageId}\t5\t4.8\t0.02\t0.002\t{"HFC23":"0.0000001"}\t\\N`,
      `r\t3\to\te2\t2024-03-01\t7\t${b!.lineageId}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N`,
      '',
    ]);
    // the same content gives the same lineage id in any chunk, thread or process
    expect(encodeResults({ runId: 'r', orgId: 'o', chunkNo: 8 }, packActivities([row('2')]), [results[1]!]).lineages[0]!.lineageId).toBe(a!.lineageId);
  });

  it("counts the rows the matching engine chose a factor for, by method and status (text held for review: 'unmatched')", () => {
    const match = (method: 'rule' | 'text' | 'none', confidence: number) => ({ key: method === 'none' ? null : 'k', title: null, method, confidence, alternatives: [], evidence: {} });
    const results: ActivityResult[] = [
      calculated('1', '1', {}),
      calculated('2', '1', {}, { match: match('text', 0.9) }),
      calculated('3', '1', {}, { match: match('rule', 1) }),
      { activityId: '4', status: 'unmatched', reason: 'NEEDS_REVIEW', detail: 'below the threshold', gwpSetId: 'AR5', match: match('text', 0.4) },
      { activityId: '5', status: 'unmatched', reason: 'NO_MATCH', detail: 'no match', gwpSetId: 'AR5', match: match('none', 1) },
    ];
    const out = encodeResults({ runId: 'r', orgId: 'o', chunkNo: 0 }, packActivities(results.map((r) => row(r.activityId))), results);
    expect(out.counts).toEqual({
      status: { calculated: 3, unmatched: 2, failed: 0 },
      matched: { text: { calculated: 1, unmatched: 1, failed: 0 }, rule: { calculated: 1, unmatched: 0, failed: 0 }, none: { calculated: 0, unmatched: 1, failed: 0 } },
    });
  });

  it('refuses results that do not answer the chunk row for row', () => {
    expect(() => encodeResults({ runId: 'r', orgId: 'o', chunkNo: 0 }, packActivities([row('1'), row('2')]), [calculated('2', '1', {}), calculated('1', '1', {})])).toThrow(/result 0 is for activity 2/);
  });
});
