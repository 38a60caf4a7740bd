import { startAdmin } from '@tally/admin';
import { toCsv } from '@tally/db';
import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { startWorker } from '@tally/worker';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'review-loop-operator-token-0123456789';

/**
 * Spend lines of two buyer categories: the same terse text ("FITTING 2 IN") in both, and a line no
 * factor fits. Every text match is held for review (threshold 1).
 */
const ACTIVITIES = [
  'entity,period_start,period_end,activity_type,quantity,unit,description,category',
  ...[
    ['PIPE', 'COUPLING PVC SCH 40 2 IN'],
    ['PIPE', 'ELBOW PVC 90 DEG 1 IN'],
    ['PIPE', 'FITTING 2 IN'],
    ['WIRING', 'PLUG ELECTRIC CORD 120V'],
    ['WIRING', 'OUTLET DUPLEX RECEPTACLE'],
    ['WIRING', 'FITTING 2 IN'],
    ['MISC', 'ZZQX 12-1/4'],
    ['MISC', 'ZZQX 3/8'],
    ['UTILITIES', 'ELECTRICITY BILL MARCH'],
  ].map(([category, description], i) => `DEPOT,2024-03-01,2024-03-31,spend,${1000 + i},USD,${description},${category}`),
].join('\n');

/**
 * The review loop end to end, through the admin API's HTTP server, graphile-worker and the thread
 * pool: a run holds its weak matches, the queue is downloaded as CSV, a reviewer fills in keys and
 * uploads it, the queue shows the groups as decided, and the next run applies the rules.
 */
describe('the review loop through the API', () => {
  const t = useTestDatabase();
  let admin: Awaited<ReturnType<typeof startAdmin>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let base: string;
  let key: string;
  let orgId: string;
  const call = async (method: string, path: string, body?: string | object, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
  };
  const runToEnd = async (options: object = {}) => {
    const created = await call('POST', `/v1/organisations/${orgId}/calculation-runs`, { period: '2024', factorSetIds: ['epa-sc-v1.3.0'], gwpSetId: 'AR5', options: { matchThreshold: 1, ...options } });
    expect(created.status).toBe(202);
    const id = created.json().id as string;
    for (let i = 0; i < 600; i++) {
      const run = (await call('GET', `/v1/calculation-runs/${id}`)).json();
      if (!['queued', 'running'].includes(run.status)) return run as { id: string; status: string };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${id} did not finish`);
  };

  beforeAll(async () => {
    await storeBundledReference(t.db, { economics: true, factorSets: ['epa-sc-v1.3.0'] });
    admin = await startAdmin({ DATABASE_URL: t.url, PORT: 0, HOST: '127.0.0.1', TALLY_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
    worker = await startWorker({ DATABASE_URL: t.url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 1, CALC_THREADS: 1, LOG_LEVEL: 'silent' }, { noHandleSignals: true });
    base = `http://127.0.0.1:${admin.port}`;
    key = TOKEN;
    const org = (await call('POST', '/v1/organisations', { name: 'Review loop' })).json();
    orgId = org.organisation.id;
    key = org.apiKey.token;
    expect((await call('POST', `/v1/organisations/${orgId}/entities`, { code: 'DEPOT', name: 'Depot', kind: 'site', country: 'US' })).status).toBe(201);
    const upload = await call('POST', `/v1/organisations/${orgId}/activity-imports`, ACTIVITIES, 'text/csv');
    expect(upload.json()).toMatchObject({ rowsAccepted: 9, rowsRejected: 0 });
  });
  afterAll(async () => {
    await worker?.stop();
    await admin?.stop();
  });

  it('holds weak matches, takes decisions from the queue as CSV, shows them, and applies them in the next run', async () => {
    const first = await runToEnd();
    expect(first.status).toBe('complete');

    const download = await call('GET', `/v1/organisations/${orgId}/match-reviews?period=2024&format=csv`);
    expect(download.type).toMatch(/^text\/csv/);
    const lines = parse(download.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(lines[0]!)).toEqual(['text', 'category', 'reason', 'rows', 'regions', 'spend', 'spend_share', 'proposed_key', 'proposed_title', 'proposed_confidence', 'note', 'decided_key', 'decided_regions', 'for_region', 'key']);
    const fitting = lines.filter((l) => l.text === 'fitting 2 in');
    expect(fitting.map((l) => l.category)).toEqual(['pipe', 'wiring']);
    expect(fitting[0]).toMatchObject({ reason: 'NEEDS_REVIEW', rows: '1', regions: 'US', spend: '1002 USD', proposed_key: 'naics-2017/326122', decided_key: '', key: '' });
    expect(lines.find((l) => l.text === 'zzqx 12-1/4')).toMatchObject({ reason: 'NO_MATCH', proposed_key: '' });
    // Spend on electricity has no EPA factor, and is Scope 2: no match, and the result says so.
    expect(lines.find((l) => l.text === 'electricity bill march')).toMatchObject({ reason: 'NO_MATCH', proposed_key: '', note: expect.stringMatching(/^no spend factor: .* Scope 2/) });
    expect(fitting[0]!.note).toMatch(/^best phrase: "/);
    const firstResults = (await call('GET', `/v1/calculation-runs/${first.id}/results?limit=100`)).json().results as { lineNo: number; status: string; reason: string; detail: string; match: { evidence: { withoutFactor?: { key: string } } } }[];
    const electricity = firstResults.find((r) => r.lineNo === 10)!;
    expect(electricity).toMatchObject({ status: 'unmatched', reason: 'NO_MATCH', match: { evidence: { withoutFactor: { key: 'naics-2017/221122' } } } });
    expect(electricity.detail).toMatch(/Scope 2; report it by the kWh/);

    // The reviewer confirms PIPE's proposal, decides the unmatched line, decides the cord for British
    // sites only (the depot is American), and leaves the rest open.
    const filled = lines.map((l) => ({
      ...l,
      key: l.text === 'fitting 2 in' && l.category === 'pipe' ? l.proposed_key! : l.text === 'zzqx 12-1/4' ? 'naics-2017/332722' : l.text === 'plug electric cord 120v' ? 'naics-2017/335931' : '',
      for_region: l.text === 'plug electric cord 120v' ? 'gb' : '',
    }));
    const csv = toCsv(Object.keys(filled[0]!), filled.map((l) => Object.values(l)));
    const decided = await call('POST', `/v1/organisations/${orgId}/match-reviews`, csv, 'text/csv');
    expect(decided.status).toBe(201);
    expect(decided.json().rules.map((r: { pattern: string; category: string | null; region: string | null; key: string }) => [r.pattern, r.category, r.region, r.key])).toEqual([
      ['fitting 2 in', 'pipe', null, 'naics-2017/326122'],
      ['plug electric cord 120v', 'wiring', 'GB', 'naics-2017/335931'],
      ['zzqx 12-1/4', 'misc', null, 'naics-2017/332722'],
    ]);

    // A typo in a key is refused with its line; nothing of that file is stored.
    const typo = await call('POST', `/v1/organisations/${orgId}/match-reviews`, 'text,category,key\r\nplug electric cord 120v,wiring,naics-2017/33593\r\n', 'text/csv');
    expect(typo.status).toBe(422);
    expect(typo.json().errors).toEqual([{ line: 2, column: 'key', detail: 'unknown factor key "naics-2017/33593"' }]);

    const queue = (await call('GET', `/v1/organisations/${orgId}/match-reviews?period=2024`)).json();
    const group = (text: string, category: string) => queue.groups.find((g: { text: string; category: string }) => g.text === text && g.category === category);
    const decision = (text: string, category: string) => group(text, category)?.decision;
    expect(decision('fitting 2 in', 'pipe')).toMatchObject({ key: 'naics-2017/326122', category: 'pipe', region: null, createdBy: expect.stringMatching(/^api-key:/) });
    expect(group('fitting 2 in', 'pipe').decidedRegions).toEqual(['US']);
    expect(decision('fitting 2 in', 'wiring')).toBeNull();
    // The British decision leaves the American rows open.
    expect(group('plug electric cord 120v', 'wiring')).toMatchObject({ regions: ['US'], decision: null, decidedRegions: [] });

    const next = await runToEnd();
    const { results } = (await call('GET', `/v1/calculation-runs/${next.id}/results?limit=100`)).json();
    // lines of the uploaded file: 2 + the index in ACTIVITIES' rows
    const byLine = (lineNo: number) => results.find((r: { lineNo: number }) => r.lineNo === lineNo);
    expect(byLine(4)).toMatchObject({ status: 'calculated', factorId: 'epa-sc-v1.3.0:326122:purchaser', match: { method: 'rule' } });
    expect(byLine(8)).toMatchObject({ status: 'calculated', factorId: 'epa-sc-v1.3.0:332722:purchaser', match: { method: 'rule' } });
    expect(byLine(7)).toMatchObject({ status: 'unmatched', reason: 'NEEDS_REVIEW', match: { method: 'text' } });
    expect(byLine(5)).toMatchObject({ status: 'unmatched', reason: 'NEEDS_REVIEW', match: { method: 'text' } });
    // The decision is a labelled line too: "ZZQX 3/8", which nothing matched before, is now proposed its key.
    expect(lines.find((l) => l.text === 'zzqx 3/8')).toMatchObject({ reason: 'NO_MATCH', proposed_key: '' });
    expect(byLine(9)).toMatchObject({ status: 'unmatched', reason: 'NEEDS_REVIEW', match: { method: 'text', key: 'naics-2017/332722' } });
    expect(byLine(9).match.evidence.note).toContain('(a labelled purchase line)');

    // Without Tally's shipped labels the organisation's own decisions still teach (ZZQX), and the
    // code prior counts its rules alone: one line of plastics pipe fittings, the PIPE decision.
    const own = await runToEnd({ shippedLabels: false });
    const ownResults = (await call('GET', `/v1/calculation-runs/${own.id}/results?limit=100`)).json().results as { lineNo: number; match: { key: string; evidence: { note: string; codePrior?: { lines: number } } } }[];
    const ownLine = (lineNo: number) => ownResults.find((r) => r.lineNo === lineNo)!;
    expect(byLine(2).match).toMatchObject({ key: 'naics-2017/326122', evidence: { codePrior: { lines: expect.any(Number) } } });
    expect(byLine(2).match.evidence.codePrior.lines).toBeGreaterThan(1);
    expect(ownLine(2).match).toMatchObject({ key: 'naics-2017/326122', evidence: { codePrior: { lines: 1 } } });
    expect(ownLine(9).match).toMatchObject({ key: 'naics-2017/332722' });
    expect(ownLine(9).match.evidence.note).toContain('(a labelled purchase line)');
  });
});
