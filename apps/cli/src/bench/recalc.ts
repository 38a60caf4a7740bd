/**
 * pnpm bench:recalc [--activities N] [--chunk-size N] [--json]
 *
 * Generates N activities (default 1,000,000) for several organisations, runs one full
 * recalculation per organisation through the real admin API, graphile-worker and the piscina
 * pool, and in the same run times the same PostgreSQL doing the equivalent set-based
 * INSERT ... SELECT ... JOIN into a table with the same columns and indexes. Prints both and
 * the ratio. Starts its own PostgreSQL unless DATABASE_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startAdmin } from '@tally/admin';
import { findUnit } from '@tally/core';
import { copyRows, createDb, migrate } from '@tally/db';
import { databaseUrl, startPostgres } from '@tally/testing';
import { startWorker } from '@tally/worker';
import { loadReferenceData } from '../referenceData.ts';

const { values: args } = parseArgs({
  options: {
    activities: { type: 'string', default: '1000000' },
    'chunk-size': { type: 'string', default: '10000' },
    orgs: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(args.activities);
const CHUNK = Number(args['chunk-size']);
const ORGS = Math.max(1, Number(args.orgs));
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
  ['purchased-goods/office-supplies', 'GBP', 1, 1_000],
];
const WEIGHTED = MIX.flatMap((m) => Array.from({ length: m[2] }, () => m));

function mib(bytes: number) {
  return Math.round(bytes / 1024 / 1024);
}

async function main() {
  let local: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let server = process.env.DATABASE_URL;
  if (!server) {
    local = await startPostgres();
    server = local.url;
  }
  const dbName = `tally_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = databaseUrl(server, dbName);
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    await migrate(url);
    const db = await createDb(url);
    await loadReferenceData(db, () => undefined);

    // --- data set ---------------------------------------------------------------------------
    const t0 = performance.now();
    const orgs: { id: string; entities: string[] }[] = [];
    for (let o = 0; o < ORGS; o++) {
      const org = await db.pg.query<{ id: string }>(`insert into organisations (name) values ($1) returning id`, [`Bench org ${o}`]);
      const id = org.rows[0]!.id;
      const entities: string[] = [];
      const parent = await db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'LE', 'Legal entity', 'legal_entity', 'GB') returning id`, [id]);
      entities.push(parent.rows[0]!.id);
      for (let s = 0; s < 20; s++) {
        const e = await db.pg.query<{ id: string }>(`insert into entities (org_id, parent_id, code, name, kind, country) values ($1, $2, $3, $3, 'site', 'GB') returning id`, [id, parent.rows[0]!.id, `SITE-${s}`]);
        entities.push(e.rows[0]!.id);
      }
      orgs.push({ id, entities });
    }
    const client = await db.pg.connect();
    try {
      for (let o = 0; o < ORGS; o++) {
        const org = orgs[o]!;
        const imp = await client.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [org.id]);
        const share = Math.floor(N / ORGS) + (o < N % ORGS ? 1 : 0);
        let seed = 12345 + o;
        const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
        await copyRows(
          client,
          'activities',
          ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'],
          (function* () {
            for (let i = 0; i < share; i++) {
              const [key, unit, , scale] = WEIGHTED[Math.floor(rnd() * WEIGHTED.length)]!;
              const month = String(1 + Math.floor(rnd() * 12)).padStart(2, '0');
              const day = `2024-${month}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
              yield [org.id, imp.rows[0]!.id, i + 2, org.entities[Math.floor(rnd() * org.entities.length)]!, day, day, key, (rnd() * scale).toFixed(3), unitCode(unit)];
            }
          })(),
        );
      }
      await client.query('analyze activities');
    } finally {
      client.release();
    }
    say(`generated ${N.toLocaleString('en')} activities for ${ORGS} organisations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // --- Tally: admin API -> graphile-worker -> piscina -> COPY ------------------------------
    const token = randomBytes(24).toString('base64url');
    const api = await startAdmin({ DATABASE_URL: url, PORT: 0, HOST: '127.0.0.1', TALLY_ADMIN_TOKEN: token, LOG_LEVEL: 'silent' });
    const worker = await startWorker({ DATABASE_URL: url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 4, CALC_THREADS: Math.max(1, cpus().length), LOG_LEVEL: 'silent' }, { noHandleSignals: true });
    const base = `http://127.0.0.1:${api.port}`;
    const t1 = performance.now();
    const runIds: string[] = [];
    for (const org of orgs) {
      const res = await fetch(`${base}/v1/organisations/${org.id}/calculation-runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ period: '2024', factorSetId: 'desnz-2025', gwpSetId: 'AR5', chunkSize: CHUNK }),
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
      await new Promise((res) => setTimeout(res, 100));
    }
    const tallySeconds = (performance.now() - t1) / 1000;
    await worker.stop();
    await api.stop();
    const written = await db.pg.query<{ n: string }>(`select count(*) as n from calculation_results where run_id = any($1)`, [runIds]);
    if (Number(written.rows[0]!.n) !== N) throw new Error(`expected ${N} result rows, found ${written.rows[0]!.n}`);

    // --- baseline: the same PostgreSQL, one set-based statement -----------------------------
    await db.pg.query(`create table baseline_results (like calculation_results including all)`);
    await db.pg.query(`insert into calculation_runs (id, org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size)
                       select gen_random_uuid(), id, '2024-01-01', '2024-12-31', 'desnz-2025', 'AR5', 'complete', 0 from organisations limit 1`);
    const t2 = performance.now();
    await db.pg.query(`
      insert into baseline_results (run_id, activity_id, org_id, entity_id, period_start, chunk_no, status, factor_id, factor_set_id, factor_source_ref,
        scope, category, unit_from, unit_to, unit_multiplier, unit_assumption, gwp_set_id, co2e_method, co2e_kg, co2_kg, ch4_kg, n2o_kg, gas_kg)
      select (select id from calculation_runs where chunk_size = 0 limit 1), a.id, a.org_id, a.entity_id, a.period_start, 0,
        case when f.id is null then 'unmatched' else 'calculated' end, f.id, f.factor_set_id, f.source_ref,
        f.scope, f.category, a.unit, f.unit, 1, null, 'AR5', 'published_total',
        round(a.quantity * f.co2e, 12), round(a.quantity * (f.gases->>'CO2')::numeric, 12),
        round(a.quantity * (f.gases->>'CH4')::numeric / 28, 12), round(a.quantity * (f.gases->>'N2O')::numeric / 265, 12),
        jsonb_build_object('CO2', round(a.quantity * (f.gases->>'CO2')::numeric, 12), 'CH4', round(a.quantity * (f.gases->>'CH4')::numeric / 28, 12), 'N2O', round(a.quantity * (f.gases->>'N2O')::numeric / 265, 12))
      from activities a join entities e on e.id = a.entity_id
      -- exactly keyed: a factor's natural key in its set is (key, unit, region, year); hotel stays
      -- have one factor per country, so the region is part of the key
      left join emission_factors f
        on f.factor_set_id = 'desnz-2025' and f.activity_key = a.activity_type and f.unit = a.unit and f.region = e.country
      where a.period_start between '2024-01-01' and '2024-12-31'`);
    const sqlSeconds = (performance.now() - t2) / 1000;
    await db.close();

    const result = {
      activities: N,
      seconds: Number(tallySeconds.toFixed(3)),
      activitiesPerSecond: Math.round(N / tallySeconds),
      sqlBaselineSeconds: Number(sqlSeconds.toFixed(3)),
      ratio: Number((tallySeconds / sqlSeconds).toFixed(2)),
      peakRssMiB: mib(peakRss),
    };
    say('');
    say(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} MiB RAM, Node ${process.versions.node}`);
    say(`Tally (API → graphile-worker → piscina, chunk ${CHUNK}): ${N.toLocaleString('en')} activities in ${result.seconds} s = ${result.activitiesPerSecond.toLocaleString('en')} activities/s`);
    say(`baseline (same PostgreSQL, one INSERT … SELECT … JOIN, exact-key factors): ${result.sqlBaselineSeconds} s`);
    say(`ratio Tally / SQL: ${result.ratio}    peak RSS (this process: API + worker + threads): ${result.peakRssMiB} MiB`);
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    clearInterval(rssTimer);
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    await local?.stop();
  }
}

function unitCode(label: string): string {
  const u = findUnit(label);
  if (!u) throw new Error(`bench: unknown unit ${label}`);
  return u.code;
}

await main();
