import { consultsCategory, textKey } from '@tally/core';
import { copyRows, createMappingRule, reviewGroups, runCategoryProfiles, type RunRow } from '@tally/db';
import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../main.ts';
import { runUntilFinished } from '../test/runs.ts';

/**
 * Purchase lines in two of the buyer's categories: pipe fittings and wiring devices. The same
 * terse text ("FITTING 2 IN") is in both; each category's other lines tell which fitting it is.
 */
const LINES: [category: string, description: string][] = [
  ['PIPE', 'COUPLING PVC SCH 40 2 IN'],
  ['PIPE', 'ELBOW PVC 90 DEG 1 IN'],
  ['PIPE', 'TEE PVC PIPE 3 IN'],
  ['PIPE', 'FITTING 2 IN'],
  ['WIRING', 'PLUG ELECTRIC CORD 120V'],
  ['WIRING', 'OUTLET DUPLEX RECEPTACLE'],
  ['WIRING', 'CORD EXTENSION ELECTRIC 25 FT'],
  ['WIRING', 'FITTING 2 IN'],
];

describe("a purchase line's category", () => {
  const t = useTestDatabase();
  let worker: WorkerHandle;
  let orgId: string;
  let entityId: string;
  let importId: string;
  const addLines = async (lines: readonly [string, string][], firstLine: number) => {
    const client = await t.db.pg.connect();
    try {
      await copyRows(
        client,
        'activities',
        ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'description', 'category'],
        lines.map(([category, description], i) => [orgId, importId, firstLine + i, entityId, '2024-03-01', '2024-03-31', 'spend', '1000', 'USD', description, category]),
      );
    } finally {
      client.release();
    }
  };
  beforeAll(async () => {
    // EPA's 2022 dollars from the lines' 2024 dollars: the spend-conversion tables
    await storeBundledReference(t.db, { economics: true, factorSets: ['epa-sc-v1.3.0'] });
    orgId = (await t.db.pg.query<{ id: string }>(`insert into organisations (name) values ('Categories') returning id`)).rows[0]!.id;
    entityId = (await t.db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'US1', 'Depot', 'site', 'US') returning id`, [orgId])).rows[0]!.id;
    importId = (await t.db.pg.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [orgId])).rows[0]!.id;
    await addLines(LINES, 2);
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 1, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  const run = async (baseRunId?: string): Promise<RunRow> => {
    // Every match is calculated (threshold 0), so that an incremental run sees them as text matches.
    return runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'epa-sc-v1.3.0', gwpSetId: 'AR5', chunkSize: 100, options: { matchThreshold: 0 }, baseRunId });
  };
  const terse = async (runId: string) =>
    (
      await t.db.pg.query<{ category: string; status: string; factor_id: string; match: { key: string; method: string; evidence: { category?: { descriptions: number; terms: string[]; changed: boolean } } } }>(
        `select a.category, r.status, r.factor_id, r.match from calculation_results r join activities a on a.id = r.activity_id
         where r.run_id = $1 and a.description = 'FITTING 2 IN' order by a.category`,
        [runId],
      )
    ).rows;

  it("is profiled when the run is planned, and its lines' words choose the factor of a terse line", async () => {
    const r = await run();
    expect(r?.status).toBe('complete');
    const profiles = await runCategoryProfiles(t.db.pool, r!.id);
    expect(profiles.map((p) => p.category)).toEqual(['PIPE', 'WIRING']);
    expect(profiles[0]).toMatchObject({ descriptions: 4, digest: expect.stringMatching(/^[0-9a-f]{32}$/), terms: expect.arrayContaining([{ term: 'pvc', count: 3 }]) });
    const [pipe, wiring] = await terse(r!.id);
    expect(pipe).toMatchObject({ category: 'PIPE', status: 'calculated', factor_id: 'epa-sc-v1.3.0:326122:purchaser', match: { key: 'naics-2017/326122', evidence: { category: { descriptions: 4 } } } });
    expect(pipe!.match.evidence.category).toMatchObject({ terms: ['plastic'], changed: true });
    // A current-carrying wiring device, chosen by WIRING's words ("cord", "extension", "electric").
    expect(wiring).toMatchObject({ category: 'WIRING', status: 'calculated', match: { key: 'naics-2017/335931', evidence: { category: { descriptions: 4, changed: true } } } });
    expect(wiring!.match.evidence.category!.terms.length).toBeGreaterThan(0);
    expect(wiring!.match.key).not.toBe(pipe!.match.key);
  });

  it("is matched again by an incremental run when the category's lines changed, where the text consulted it", async () => {
    const base = await run();
    expect((await run(base!.id))?.incremental).toMatchObject({ mode: 'incremental', carried: LINES.length, recalculated: 0 });
    // PIPE's lines whose text leads clearly enough never read the category: their answers hold.
    const pipeMargins = (
      await t.db.pg.query<{ margin: number }>(
        `select (r.match -> 'evidence' ->> 'margin')::float8 as margin from calculation_results r join activities a on a.id = r.activity_id where r.run_id = $1 and a.category = 'PIPE'`,
        [base!.id],
      )
    ).rows.map((r) => r.margin);
    const consulting = pipeMargins.filter((m) => consultsCategory(m)).length;
    expect(consulting).toBeGreaterThan(0);
    expect(consulting).toBeLessThan(pipeMargins.length);
    // A new kind of line in PIPE changes what PIPE holds: PIPE's close text matches are made again, the rest carried.
    await addLines([['PIPE', 'VALVE BALL PVC 2 IN']], 100);
    const after = await run(base!.id);
    expect(after).toMatchObject({
      status: 'complete',
      incremental: { mode: 'incremental', carried: LINES.length - consulting, recalculated: consulting + 1, reasons: { new_activity: 1, category_changed: consulting } },
    });
    const [pipe] = await terse(after!.id);
    expect(pipe!.match.evidence.category!.descriptions).toBe(5);
  });

  it('is a review group of its own for a text it matches differently, and a decision can hold for it alone', async () => {
    const held = await runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'epa-sc-v1.3.0', gwpSetId: 'AR5', chunkSize: 100, options: { matchThreshold: 1 } });
    expect(held.status).toBe('complete');
    const groups = (await reviewGroups(t.db.pool, held.id, 100)).filter((g) => g.text === 'fitting 2 in');
    expect(groups.map((g) => [g.category, g.rows, g.decision])).toEqual([['pipe', 1, null], ['wiring', 1, null]]);
    expect(groups[0]!.proposal).toMatchObject({ key: 'naics-2017/326122' });
    expect(groups[1]!.proposal?.key).not.toBe('naics-2017/326122');
    // The reviewer decides the wiring group only: PIPE's line keeps its text match.
    const rule = await createMappingRule(t.db.pool, orgId, { kind: 'exact', field: 'description', pattern: groups[1]!.text, key: 'naics-2017/335931', category: groups[1]!.category, createdBy: 'api-key:reviewer' });
    // the queue now shows the wiring group as decided, PIPE's as still open
    const after = (await reviewGroups(t.db.pool, held.id, 100)).filter((g) => g.text === 'fitting 2 in');
    expect(after.map((g) => g.decision)).toEqual([null, { ruleId: rule.id, key: 'naics-2017/335931', category: 'wiring', region: null, createdBy: 'api-key:reviewer' }]);
    expect(after.map((g) => g.decidedRegions)).toEqual([[], ['US']]);
    const [pipe, wiring] = await terse((await run())!.id);
    expect(wiring).toMatchObject({ factor_id: 'epa-sc-v1.3.0:335931:purchaser', match: { method: 'rule', evidence: { ruleId: rule.id, createdBy: 'api-key:reviewer' } } });
    expect(pipe).toMatchObject({ factor_id: 'epa-sc-v1.3.0:326122:purchaser', match: { method: 'text' } });
  });

  it('is one category however it is spelt: its spellings share one profile, built from all their lines', async () => {
    // Alone, each spelling has one distinct line (the third repeats the first in other case): no profile.
    await addLines([['Valves', 'VALVE BALL BRASS 1 IN'], ['VALVES ', 'VALVE GATE BRASS 2 IN'], ['valves', 'valve ball brass 1 in']], 200);
    const r = await run();
    const valves = (await runCategoryProfiles(t.db.pool, r.id)).filter((p) => p.category.trim().toLowerCase() === 'valves');
    expect(valves.map((p) => p.category).sort()).toEqual(['VALVES ', 'Valves', 'valves'].sort());
    expect(new Set(valves.map((p) => p.digest)).size).toBe(1);
    expect(valves[0]).toMatchObject({ descriptions: 2, terms: expect.arrayContaining([{ term: 'brass', count: 2 }, { term: 'valv', count: 2 }]) });
  });

  it('groups held lines by text and category as textKey reads them, tabs and newlines at their ends too, and says where they took place', async () => {
    await addLines([[' \tStrainers\n', '\tSTRAINER  Y\tBRASS \n'], ['strainers', 'strainer y brass']], 300);
    // the same line, with a no-break space, bought for a site in London: its location, not its
    // entity's country, is its region (upper case, as the engine reads it)
    await t.db.pg.query(
      `insert into activities (org_id, import_id, line_no, entity_id, period_start, period_end, activity_type, quantity, unit, description, category, attributes)
       values ($1, $2, 302, $3, '2024-03-01', '2024-03-31', 'spend', '1000', 'USD', $4, 'Strainers', '{"location": "gb-lnd"}')`,
      [orgId, importId, entityId, 'STRAINER\u00a0Y BRASS'],
    );
    const held = await runUntilFinished(t.db.pool, { orgId, periodStart: '2024-01-01', periodEnd: '2024-12-31', factorSetId: 'epa-sc-v1.3.0', gwpSetId: 'AR5', chunkSize: 100, options: { matchThreshold: 1 } });
    const groups = (await reviewGroups(t.db.pool, held.id, 100)).filter((g) => g.text.includes('strainer'));
    expect(groups.map((g) => [g.text, g.category, g.rows, g.regions])).toEqual([[textKey('\tSTRAINER  Y\tBRASS \n'), textKey(' \tStrainers\n'), 3, ['GB-LND', 'US']]]);
    expect(groups[0]!.text).toBe('strainer y brass');
  });
});
