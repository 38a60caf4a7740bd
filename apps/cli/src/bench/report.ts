/**
 * pnpm bench:report [--rows N] [--orgs N] [--big-share F] [--runs N] [--pg-runs N] [--json]
 *
 * Loads N result rows (default 10,000,000) into Postgres (set-based INSERT ... SELECT) and the same
 * rows into ClickHouse (one bulk INSERT ... SELECT), checks that both stores give the identical
 * inventory report, then times the full inventory with breakdowns of the big organisation-year
 * from each store: median and p95 of several runs, and each query the report ran. Starts its own
 * Postgres unless DATABASE_URL is set, and the embedded ClickHouse engine (chDB, in a temporary
 * directory) unless CLICKHOUSE_URL is set (that server must reach this Postgres: it pulls the rows
 * with postgresql()).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { createAnalyticsClient, migrateAnalytics, runInventoryReportFromAnalytics, type ClickHouseClient } from '@tally/analytics';
import { createDb, loadMarketScope2Factors, migrate, runInventoryReport, type Db, type InventoryReport } from '@tally/db';
import { loadReferenceData } from '../referenceData.ts';
import { openBenchDatabase } from './benchDatabase.ts';
import { copyBenchDataToClickHouse, generateBenchData, type BenchRun } from './reportData.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    orgs: { type: 'string', default: '20' },
    'big-share': { type: 'string', default: '0.15' },
    runs: { type: 'string', default: '9' },
    'pg-runs': { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const ORGS = Number(args.orgs);
const BIG_SHARE = Number(args['big-share']);
const RUNS = Number(args.runs);
const PG_RUNS = Number(args['pg-runs']);
for (const [name, v, min] of [['--rows', ROWS, 100], ['--orgs', ORGS, 1], ['--runs', RUNS, 1], ['--pg-runs', PG_RUNS, 1]] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}`);
}
if (!(BIG_SHARE > 0 && BIG_SHARE <= 1)) throw new Error('--big-share must be in (0, 1]');
const say = (s: string) => {
  if (!args.json) console.log(s);
};
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

export class ReportMismatch extends Error {
  constructor(detail: string) {
    super(`ClickHouse and Postgres disagree on the inventory report: ${detail}`);
    this.name = 'ReportMismatch';
  }
}

/** The first path where two reports differ, for the failure message. */
function firstDifference(a: unknown, b: unknown, path = 'report'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: Postgres ${JSON.stringify(a)?.slice(0, 300)} vs ClickHouse ${JSON.stringify(b)?.slice(0, 300)}`;
}

/** Query timings by label, collected through a pass-through wrapper of each store's client. */
type Timings = Map<string, number[]>;
const record = (t: Timings, label: string, ms: number) => t.set(label, [...(t.get(label) ?? []), ms]);

function labelOf(query: string): string {
  const s = query.replace(/\s+/g, ' ').trim();
  const key = /select (.+?) as key\b/i.exec(s)?.[1];
  if (key) return `by ${key.length > 48 ? `${key.slice(0, 45)}...` : key}`;
  const sel = /^(?:with .*?\) )?select (.*?) from /i.exec(s)?.[1] ?? s;
  return sel.length > 60 ? `${sel.slice(0, 57)}...` : sel;
}

function timedClickHouse(ch: ClickHouseClient, t: Timings): ClickHouseClient {
  return new Proxy(ch, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return async (params: Parameters<ClickHouseClient['query']>[0]) => {
        const t0 = performance.now();
        const rs = await target.query(params);
        // Timed to the last byte read, as the report reads it.
        const body = params.format === 'TabSeparated' ? await rs.text() : await rs.json();
        record(t, labelOf(params.query), performance.now() - t0);
        return { json: async () => body, text: async () => body } as unknown as Awaited<ReturnType<ClickHouseClient['query']>>;
      };
    },
  });
}

function timedPostgres(pool: Db['pool'], t: Timings, prefix = ''): Db['pool'] {
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop !== 'any' && prop !== 'one') return Reflect.get(target, prop, receiver);
      return async (q: Parameters<Db['pool']['any']>[0]) => {
        const t0 = performance.now();
        const rows = await (prop === 'one' ? target.one(q) : target.any(q));
        record(t, prefix + labelOf(q.sql), performance.now() - t0);
        return rows;
      };
    },
  });
}

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const p95 = s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
  return { median: Math.round(median * 10) / 10, p95: Math.round(p95 * 10) / 10 };
}

async function timeReports(n: number, once: () => Promise<InventoryReport>): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await once();
    out.push(performance.now() - t0);
  }
  return out;
}

function printQueries(name: string, t: Timings) {
  say(`  ${name} queries (median ms over the timed runs; ClickHouse runs them concurrently, so they overlap):`);
  for (const [label, ms] of [...t.entries()].sort((a, b) => stats(b[1]).median - stats(a[1]).median)) say(`    ${String(stats(ms).median).padStart(9)}  ${label}`);
}

async function main() {
  const benchDb = await openBenchDatabase();
  const url = benchDb.url;
  const chUrl = process.env.CLICKHOUSE_URL;
  const chDir = chUrl ? undefined : await mkdtemp(join(tmpdir(), 'tally-bench-chdb-'));
  let ch: ClickHouseClient | undefined;
  try {
    await migrate(url);
    const db = await createDb(url);
    await loadReferenceData(db, () => undefined);
    ch = await createAnalyticsClient(chUrl ? { url: chUrl } : { path: chDir });
    await migrateAnalytics(ch);
    say(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.versions.node}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    say(`analytics store: ${chUrl ?? `embedded ClickHouse engine (chDB) in ${chDir}`}`);

    const t0 = performance.now();
    const runs = await generateBenchData(db, { rows: ROWS, orgs: ORGS, bigShare: BIG_SHARE });
    const pgLoad = seconds(t0);
    say(`Postgres: ${ROWS.toLocaleString('en')} activities and result rows for ${ORGS} organisations × 3 years in ${pgLoad} s (INSERT ... SELECT, analyzed)`);
    const t1 = performance.now();
    await copyBenchDataToClickHouse(db, ch, url, runs.map((r) => r.runId), say);
    const chLoad = seconds(t1);
    const runIds = runs.map((r) => r.runId);
    const [counted] = await (await ch.query({ query: `SELECT count() AS n FROM emission_results WHERE run_id IN {runs:Array(UUID)}`, query_params: { runs: runIds }, format: 'JSONEachRow' })).json<{ n: string }>();
    if (Number(counted?.n) !== ROWS) throw new ReportMismatch(`ClickHouse holds ${counted?.n} rows, Postgres ${ROWS}`);
    say(`ClickHouse: the same ${ROWS.toLocaleString('en')} rows in ${chLoad} s (one INSERT ... SELECT from postgresql())`);

    const big: BenchRun = runs.reduce((x, y) => (y.rows > x.rows ? y : x));
    say(`report: organisation-year ${big.year} of the big organisation, ${big.rows.toLocaleString('en')} rows, ${big.consolidationApproach}`);
    // The same report from both stores, to the last digit, before anything is timed.
    const market = await loadMarketScope2Factors(db.pool, big.runId);
    const [fromPg, fromCh] = [await runInventoryReport(db.pool, big.runId, big.consolidationApproach), await runInventoryReportFromAnalytics(ch, big.orgId, big.runId, big.consolidationApproach, market)];
    const diff = firstDifference(fromPg, fromCh);
    if (diff) throw new ReportMismatch(diff);
    if (fromPg.totals.activities.total !== big.rows) throw new ReportMismatch(`the report counts ${fromPg.totals.activities.total} rows, the run has ${big.rows}`);
    say(`identical reports: total ${fromPg.totals.co2eKg} kg CO2e (scope 1 ${fromPg.scope1.co2eKg}, scope 2 ${fromPg.scope2.locationBased.co2eKg}, scope 3 ${fromPg.scope3.co2eKg}), ${fromPg.breakdowns.entity.length} entity lines`);

    const chT: Timings = new Map();
    const pgT: Timings = new Map();
    const timedCh = timedClickHouse(ch, chT);
    const timedPg = timedPostgres(db.pool, pgT);
    await runInventoryReportFromAnalytics(ch, big.orgId, big.runId, big.consolidationApproach, market); // warm-up
    // Timed as the route serves it: the run's market-based Scope 2 factors come from Postgres for either store.
    const marketPg = timedPostgres(db.pool, chT, '(Postgres) ');
    const chMs = await timeReports(RUNS, async () => runInventoryReportFromAnalytics(timedCh, big.orgId, big.runId, big.consolidationApproach, await loadMarketScope2Factors(marketPg, big.runId)));
    const pgMs = await timeReports(PG_RUNS, () => runInventoryReport(timedPg, big.runId, big.consolidationApproach));
    const chS = stats(chMs);
    const pgS = stats(pgMs);
    say('');
    say(`full inventory with breakdowns, ${big.rows.toLocaleString('en')} rows:`);
    say(`  ClickHouse: median ${chS.median} ms, p95 ${chS.p95} ms (${RUNS} runs)   target < 200 ms: ${chS.median < 200 ? 'met' : 'MISSED'}`);
    say(`  Postgres:   median ${pgS.median} ms, p95 ${pgS.p95} ms (${PG_RUNS} runs)   ClickHouse is ${(pgS.median / chS.median).toFixed(1)}× faster`);
    printQueries('ClickHouse', chT);
    printQueries('Postgres', pgT);
    await db.close();
    if (args.json) console.log(JSON.stringify({ rows: ROWS, reportRows: big.rows, clickhouseMs: chS.median, postgresMs: pgS.median, clickhouseP95Ms: chS.p95, postgresP95Ms: pgS.p95, pgLoadSeconds: Number(pgLoad), clickhouseLoadSeconds: Number(chLoad) }));
  } finally {
    await ch?.close();
    await benchDb.close();
    if (chDir) await rm(chDir, { recursive: true, force: true });
  }
}

await main();
