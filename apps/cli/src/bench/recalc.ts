/**
 * pnpm bench:recalc [--activities N] [--chunk-size N] [--orgs N] [--vocabulary N] [--json]
 *
 * Generates N activities (default 1,000,000) for several organisations and their entities: fuels,
 * electricity, travel, freight, waste, and purchase lines whose free text (a NAICS index phrase
 * with ledger noise, from a vocabulary of --vocabulary distinct descriptions) the matcher reads.
 * Runs one full recalculation per organisation through the real admin API, graphile-worker (its
 * own child process, so that its memory is measured alone) and the piscina pool, and in the same
 * run times the same PostgreSQL doing the equivalent set-based INSERT ... SELECT ... JOIN to
 * exactly-keyed factors into tables with the same columns and indexes. Prints both, the ratio and
 * the peak RSS of each process. Starts its own PostgreSQL unless DATABASE_URL is set.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAdmin } from '@tally/admin';
import { findUnit } from '@tally/core';
import { copyRows, createDb, migrate } from '@tally/db';
import { MATCHING_DIR } from '@tally/factor-data';
import { freePort } from '@tally/testing';
import { loadReferenceData } from '../referenceData.ts';
import { openBenchDatabase } from './benchDatabase.ts';

const { values: args } = parseArgs({
  options: {
    activities: { type: 'string', default: '1000000' },
    'chunk-size': { type: 'string', default: '10000' },
    orgs: { type: 'string', default: '8' },
    vocabulary: { type: 'string', default: '20000' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(args.activities);
const CHUNK = Number(args['chunk-size']);
const ORGS = Math.max(1, Number(args.orgs));
const VOCABULARY = Math.max(1, Number(args.vocabulary));
const ENTITIES_PER_ORG = 40;
const FACTOR_SETS = ['desnz-2025', 'epa-sc-v1.3.0'];
const say = (s: string) => {
  if (!args.json) console.log(s);
};

// Real DESNZ 2025 keys with a unit each accepts; weights give a realistic mix.
const MIX: [string, string, number, number][] = [
  ['fuels/gaseous-fuels/natural-gas', 'kWh (Gross CV)', 5, 50_000],
  ['uk-electricity/electricity-generated/electricity-uk', 'kWh', 6, 20_000],
  ['fuels/liquid-fuels/diesel-average-biofuel-blend', 'litres', 5, 500],
  ['fuels/liquid-fuels/petrol-average-biofuel-blend', 'litres', 3, 300],
  ['business-travel-air/flights/short-haul-to-from-uk/economy-class/with-rf', 'passenger.km', 3, 2_000],
  ['business-travel-air/flights/long-haul-to-from-uk/business-class/with-rf', 'passenger.km', 1, 12_000],
  ['business-travel-land/rail/national-rail', 'passenger.km', 2, 300],
  ['hotel-stay/hotel-stay', 'room nights', 2, 5],
  ['freighting-goods/hgv-all-diesel/all-hgvs/average-laden', 'tonne.km', 3, 40_000],
  ['waste-disposal/refuse/commercial-and-industrial-waste/landfill', 'tonnes', 1, 3],
];
/** Weight of purchase lines (matched by text) against the weights above. */
const PURCHASE_WEIGHT = 6;
const WEIGHTED = MIX.flatMap((m) => Array.from({ length: m[2] }, () => m));

function mib(bytes: number) {
  return Math.round(bytes / 1024 / 1024);
}

/** Peak resident memory of a process so far (VmHWM), in bytes; 0 when unreadable. */
async function peakRssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/**
 * Purchase-line texts: phrases of the Census NAICS 2017 index (the kind of words a ledger line
 * carries), each with ledger noise (case, a reference number, a quantity, a vendor suffix), so
 * that the vocabulary has `size` distinct descriptions. Each keeps the code it came from: the
 * set-based baseline joins on it (an exact key), the engine has only the text and the line's
 * category, the code's industry group (its first 4 digits), as a buyer's commodity group would be
 * (so that planning profiles the categories and the matcher reads them, as for real purchases).
 */
async function purchaseVocabulary(size: number, rnd: () => number): Promise<{ text: string; naics: string; category: string }[]> {
  const csv = await readFile(`${MATCHING_DIR}census-naics-2017-index/2017_NAICS_Index_File.csv`, 'utf8');
  const phrases = csv.split(/\r?\n/).slice(1).flatMap((line) => {
    const m = /^(\d{6}),"?(.*?)"?$/.exec(line);
    return m ? [{ naics: m[1]!, phrase: m[2]!.replace(/""/g, '"') }] : [];
  });
  const noise = [
    (p: string) => p,
    (p: string) => p.toUpperCase(),
    (p: string) => `${p} - inv ${1000 + Math.floor(rnd() * 9000)}`,
    (p: string) => `PO-${10000 + Math.floor(rnd() * 90000)} ${p.toLowerCase()}`,
    (p: string) => `${p}, qty ${1 + Math.floor(rnd() * 50)}`,
    (p: string) => `${p} (${['Ltd', 'Inc', 'LLC', 'GmbH', 'plc'][Math.floor(rnd() * 5)]})`,
  ];
  const out: { text: string; naics: string; category: string }[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < size && tries < size * 10; tries++) {
    const p = phrases[Math.floor(rnd() * phrases.length)]!;
    const text = noise[Math.floor(rnd() * noise.length)]!(p.phrase);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, naics: p.naics, category: p.naics.slice(0, 4) });
  }
  return out;
}

async function main() {
  const benchDb = await openBenchDatabase();
  const url = benchDb.url;
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    await migrate(url);
    const db = await createDb(url);
    await loadReferenceData(db, () => undefined);

    // --- data set ---------------------------------------------------------------------------
    const t0 = performance.now();
    // mulberry32: a small deterministic generator (the same data set on every run)
    let seed = 12345;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const vocabulary = await purchaseVocabulary(VOCABULARY, rnd);
    // Which description came from which NAICS code: the baseline's exact key for purchase lines.
    await db.pg.query(`create table bench_purchase_keys (description text primary key, factor_key text not null, region text not null)`);
    const keyClient = await db.pg.connect();
    try {
      // EPA supply-chain factors are published for the US economy.
      await copyRows(keyClient, 'bench_purchase_keys', ['description', 'factor_key', 'region'], vocabulary.map((v) => [v.text, `naics-2017/${v.naics}/purchaser-price`, 'US']));
    } finally {
      keyClient.release();
    }
    const orgs: { id: string; entities: string[] }[] = [];
    for (let o = 0; o < ORGS; o++) {
      const org = await db.pg.query<{ id: string }>(`insert into organisations (name) values ($1) returning id`, [`Bench org ${o}`]);
      const id = org.rows[0]!.id;
      const entities: string[] = [];
      const parent = await db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'LE', 'Legal entity', 'legal_entity', 'GB') returning id`, [id]);
      entities.push(parent.rows[0]!.id);
      for (let s = 0; s < ENTITIES_PER_ORG; s++) {
        const e = await db.pg.query<{ id: string }>(`insert into entities (org_id, parent_id, code, name, kind, country) values ($1, $2, $3, $3, 'site', 'GB') returning id`, [id, parent.rows[0]!.id, `SITE-${s}`]);
        entities.push(e.rows[0]!.id);
      }
      orgs.push({ id, entities });
    }
    const totalWeight = WEIGHTED.length + PURCHASE_WEIGHT;
    const client = await db.pg.connect();
    try {
      for (let o = 0; o < ORGS; o++) {
        const org = orgs[o]!;
        const imp = await client.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [org.id]);
        const share = Math.floor(N / ORGS) + (o < N % ORGS ? 1 : 0);
        await copyRows(
          client,
          'activities',
          ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit', 'amount', 'currency', 'description', 'category'],
          (function* () {
            for (let i = 0; i < share; i++) {
              const month = String(1 + Math.floor(rnd() * 12)).padStart(2, '0');
              const day = `2024-${month}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
              const entity = org.entities[Math.floor(rnd() * org.entities.length)]!;
              const pick = Math.floor(rnd() * totalWeight);
              if (pick < WEIGHTED.length) {
                const [key, unit, , scale] = WEIGHTED[pick]!;
                yield [org.id, imp.rows[0]!.id, i + 2, entity, day, day, key, (rnd() * scale).toFixed(3), unitCode(unit), null, null, null, null];
              } else {
                const amount = (rnd() * 5_000).toFixed(2);
                const v = vocabulary[Math.floor(rnd() * vocabulary.length)]!;
                yield [org.id, imp.rows[0]!.id, i + 2, entity, day, day, 'purchase', amount, 'USD', amount, 'USD', v.text, v.category];
              }
            }
          })(),
        );
      }
      // As after any bulk load: hint bits and the visibility map set now, not by whichever of the
      // two contenders reads the rows first.
      await client.query('vacuum analyze');
    } finally {
      client.release();
    }
    say(`generated ${N.toLocaleString('en')} activities for ${ORGS} organisations (${ENTITIES_PER_ORG + 1} entities each, ${vocabulary.length.toLocaleString('en')} distinct purchase descriptions) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // --- Tally: admin API -> graphile-worker (child process) -> piscina -> COPY -------------
    const token = randomBytes(24).toString('base64url');
    const api = await startAdmin({ DATABASE_URL: url, PORT: 0, HOST: '127.0.0.1', TALLY_ADMIN_TOKEN: token, LOG_LEVEL: 'silent' });
    const workerMain = join(dirname(createRequire(import.meta.url).resolve('@tally/worker')), 'main.js');
    const workerEnv = {
      ...process.env, DATABASE_URL: url, METRICS_PORT: String(await freePort()), METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: '4',
      CALC_THREADS: String(Math.max(1, cpus().length)), ORG_MAX_CONCURRENT_CHUNKS: '0', LOG_LEVEL: 'warn',
    };
    const child = (worker = spawn(process.execPath, [workerMain], { env: workerEnv, stdio: ['ignore', 'ignore', 'inherit'] }));
    const childExit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let workerPeak = 0;
    const workerRssTimer = setInterval(() => void peakRssOf(child.pid!).then((b) => (workerPeak = Math.max(workerPeak, b))), 200);
    // Ready when its metrics endpoint answers (the runner is listening by then).
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${workerEnv.METRICS_PORT}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 300 || child.exitCode !== null) throw new Error('the worker process did not start');
      await new Promise((res) => setTimeout(res, 100));
    }
    const base = `http://127.0.0.1:${api.port}`;
    const t1 = performance.now();
    const runIds: string[] = [];
    for (const org of orgs) {
      const res = await fetch(`${base}/v1/organisations/${org.id}/calculation-runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ period: '2024', factorSetIds: FACTOR_SETS, gwpSetId: 'AR5', chunkSize: CHUNK }),
      });
      if (res.status !== 202) throw new Error(`POST calculation-runs: ${res.status} ${await res.text()}`);
      runIds.push(((await res.json()) as { id: string }).id);
    }
    for (;;) {
      const r = await db.pg.query<{ pending: string; failed: string }>(
        `select count(*) filter (where status in ('queued', 'running')) as pending, count(*) filter (where status = 'failed') as failed from calculation_runs where id = any($1)`,
        [runIds],
      );
      if (Number(r.rows[0]!.failed) > 0) throw new Error('a benchmark run failed');
      if (Number(r.rows[0]!.pending) === 0) break;
      if (child.exitCode !== null) throw new Error(`the worker process exited (${child.exitCode})`);
      await new Promise((res) => setTimeout(res, 100));
    }
    const tallySeconds = (performance.now() - t1) / 1000;
    workerPeak = Math.max(workerPeak, await peakRssOf(child.pid!));
    clearInterval(workerRssTimer);
    child.kill('SIGTERM');
    await childExit;
    worker = undefined;
    await api.stop();
    const written = await db.pg.query<{ n: string; calculated: string }>(
      `select count(*) as n, count(*) filter (where status = 'calculated') as calculated from calculation_results where run_id = any($1)`,
      [runIds],
    );
    if (Number(written.rows[0]!.n) !== N) throw new Error(`expected ${N} result rows, found ${written.rows[0]!.n}`);

    // --- baseline: the same PostgreSQL, set-based, into tables like the result tables -------
    // Every activity is joined to its factor by an exact key: a named factor on its natural key
    // in the set (key, unit, region: hotel stays have one factor per country), a purchase line
    // through the key its description was generated from. Rows and lineages as Tally writes them.
    await db.pg.query(`create table baseline_rows (like calculation_result_rows including all)`);
    await db.pg.query(`create table baseline_lineages (like calculation_lineages including all)`);
    await db.pg.query(`insert into calculation_runs (id, org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size)
                       select gen_random_uuid(), id, '2024-01-01', '2024-12-31', 'desnz-2025', 'AR5', 'complete', 0 from organisations limit 1`);
    const t2 = performance.now();
    await db.pg.query(`
      insert into baseline_rows (run_id, activity_id, org_id, entity_id, period_start, chunk_no, lineage_id, co2e_kg, co2_kg, ch4_kg, n2o_kg, other_gas_kg, co2e_variants)
      select (select id from calculation_runs where chunk_size = 0 limit 1), a.id, a.org_id, a.entity_id, a.period_start, 0,
        md5(coalesce(f.id, 'unmatched'))::uuid,
        round(coalesce(a.amount, a.quantity) * f.co2e, 12), round(coalesce(a.amount, a.quantity) * (f.gases->>'CO2')::numeric, 12),
        round(coalesce(a.amount, a.quantity) * (f.gases->>'CH4')::numeric / 28, 12), round(coalesce(a.amount, a.quantity) * (f.gases->>'N2O')::numeric / 265, 12),
        case when f.id is null then null
             else (select coalesce(jsonb_object_agg(g.key, round(coalesce(a.amount, a.quantity) * g.value::numeric, 12)::text), '{}')
                   from jsonb_each_text(f.gases - 'CO2' - 'CH4' - 'N2O') g) end,
        null
      from activities a join entities e on e.id = a.entity_id
      left join bench_purchase_keys k on a.activity_type = 'purchase' and k.description = a.description
      left join emission_factors f
        on f.factor_set_id = any($1) and f.activity_key = coalesce(k.factor_key, a.activity_type) and f.unit = a.unit
       and f.region = coalesce(k.region, e.country)
      where a.period_start between '2024-01-01' and '2024-12-31'`, [FACTOR_SETS]);
    await db.pg.query(`
      insert into baseline_lineages (run_id, lineage_id, status, factor_id, factor_set_id, factor_source_ref, scope, category, unit_from, unit_to, unit_multiplier, gwp_set_id, co2e_method)
      select distinct on (f.id) (select id from calculation_runs where chunk_size = 0 limit 1), md5(coalesce(f.id, 'unmatched'))::uuid,
        case when f.id is null then 'unmatched' else 'calculated' end, f.id, f.factor_set_id, f.source_ref, f.scope, f.category, f.unit, f.unit, 1, 'AR5', 'published_total'
      from baseline_rows r left join emission_factors f on md5(f.id)::uuid = r.lineage_id`);
    const sqlSeconds = (performance.now() - t2) / 1000;
    const baselineRows = await db.pg.query<{ n: string }>(`select count(*) as n from baseline_rows`);
    if (Number(baselineRows.rows[0]!.n) !== N) throw new Error(`baseline: expected ${N} rows, found ${baselineRows.rows[0]!.n}`);
    await db.close();

    const result = {
      activities: N,
      seconds: Number(tallySeconds.toFixed(3)),
      activitiesPerSecond: Math.round(N / tallySeconds),
      sqlBaselineSeconds: Number(sqlSeconds.toFixed(3)),
      ratio: Number((tallySeconds / sqlSeconds).toFixed(2)),
      // the largest process: the worker's (its threads included) is what the target is about
      peakRssMiB: mib(Math.max(workerPeak, peakRss)),
    };
    say('');
    say(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} MiB RAM, Node ${process.versions.node}`);
    say(`Tally (API → graphile-worker → piscina, chunk ${CHUNK}): ${N.toLocaleString('en')} activities (${Number(written.rows[0]!.calculated).toLocaleString('en')} calculated) in ${result.seconds} s = ${result.activitiesPerSecond.toLocaleString('en')} activities/s`);
    say(`baseline (same PostgreSQL, one INSERT … SELECT … JOIN, exact-key factors, + its lineages): ${result.sqlBaselineSeconds} s`);
    say(`ratio Tally / SQL: ${result.ratio}`);
    say(`peak RSS per process: worker (graphile-worker + ${workerEnv.CALC_THREADS} threads) ${mib(workerPeak)} MiB; bench (data generation + admin API + baseline client) ${mib(peakRss)} MiB`);
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    clearInterval(rssTimer);
    worker?.kill('SIGKILL');
    await benchDb.close();
  }
}

function unitCode(label: string): string {
  const u = findUnit(label);
  if (!u) throw new Error(`bench: unknown unit ${label}`);
  return u.code;
}

await main();
