import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startAdmin } from '@tally/admin';
import { createAnalyticsClient, migrateAnalytics } from '@tally/analytics';
import { createDb, migrate } from '@tally/db';
import { startWorker } from '@tally/worker';
import { ensureDatabase, STATE_DIR } from './localPostgres.ts';
import { loadReferenceData } from './referenceData.ts';
import { formatInventory, type InventoryResponse } from './formatInventory.ts';

const DATA = fileURLToPath(new URL('../data/', import.meta.url));

async function api<T>(base: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit & { duplex?: 'half' } = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
  if (body instanceof Readable) {
    init.body = Readable.toWeb(body) as ReadableStream;
    init.duplex = 'half';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * The main job on the local default: Postgres (local cluster unless DATABASE_URL), migrations,
 * bundled factors, the sample organisation and its 2024 activity file through the real HTTP API,
 * a calculation run through graphile-worker and the thread pool, the inventory printed. The admin
 * API and worker then keep running until Ctrl-C (unless --exit).
 */
export async function demo(options: { exit: boolean; port: number }): Promise<void> {
  const log = (s: string) => console.log(`• ${s}`);
  const url = await ensureDatabase(log);
  const report = await migrate(url);
  log(`migrations: ${report.applied.length} applied, ${report.alreadyApplied} already in place`);
  const db = await createDb(url);
  try {
    await loadReferenceData(db, log);
  } finally {
    await db.close();
  }

  // Analytics: a ClickHouse server when CLICKHOUSE_URL is set, else the embedded engine (chDB)
  // in .tally/chdb, owned by this process and shared by the API and the worker running in it.
  const chUrl = process.env.CLICKHOUSE_URL;
  const analytics = await createAnalyticsClient(chUrl ? { url: chUrl } : { path: join(STATE_DIR, 'chdb') });
  await migrateAnalytics(analytics);
  log(`analytics store: ${chUrl ? chUrl : `embedded ClickHouse engine (chDB) in ${join(STATE_DIR, 'chdb')}`}`);

  const adminToken = process.env.TALLY_ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  const adminEnv = { DATABASE_URL: url, PORT: options.port, HOST: '127.0.0.1', TALLY_ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' } as const;
  const admin = await startAdmin(adminEnv, { analytics }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EADDRINUSE') throw e;
    log(`port ${options.port} is taken; using a free port`);
    return startAdmin({ ...adminEnv, PORT: 0 }, { analytics });
  });
  const worker = await startWorker(
    { DATABASE_URL: url, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', WORKER_CONCURRENCY: 4, CALC_THREADS: 2, LOG_LEVEL: 'warn' },
    { noHandleSignals: true, analytics },
  );
  const base = `http://127.0.0.1:${admin.port}`;
  log(`admin API on ${base} (metrics ${base}/metrics); worker metrics on http://127.0.0.1:${worker.metricsPort}/metrics`);

  const sample = JSON.parse(await readFile(join(DATA, 'sample-organisation.json'), 'utf8')) as {
    name: string;
    consolidationApproach: string;
    entities: Record<string, string>[];
  };
  const created = await api<{ organisation: { id: string }; apiKey: { token: string } }>(base, adminToken, 'POST', '/v1/organisations', { name: sample.name, consolidationApproach: sample.consolidationApproach });
  const orgId = created.organisation.id;
  const key = created.apiKey.token;
  const keyFile = join(STATE_DIR, 'demo-api-key');
  await writeFile(keyFile, key + '\n', { mode: 0o600 });
  log(`organisation "${sample.name}" ${orgId}; its API key is in ${keyFile}`);
  for (const e of sample.entities) await api(base, key, 'POST', `/v1/organisations/${orgId}/entities`, e);
  log(`${sample.entities.length} entities`);

  const upload = await api<{ importId: string; rowsAccepted: number; rowsRejected: number }>(
    base, key, 'POST', `/v1/organisations/${orgId}/activity-imports?fileName=sample-activities-2024.csv`,
    createReadStream(join(DATA, 'sample-activities-2024.csv')), { 'content-type': 'text/csv', 'idempotency-key': `demo-${orgId}` },
  );
  log(`import ${upload.importId}: ${upload.rowsAccepted} rows accepted, ${upload.rowsRejected} rejected`);

  const run = await api<{ id: string }>(base, key, 'POST', `/v1/organisations/${orgId}/calculation-runs`, { period: '2024', factorSetIds: ['desnz-2024', 'epa-sc-v1.3.0'], gwpSetId: 'AR5', chunkSize: 100 });
  const started = Date.now();
  let status: { status: string; progress: { chunksDone: number; chunksTotal: number | null; rowsDone: string }; error: string | null };
  for (;;) {
    status = await api(base, key, 'GET', `/v1/calculation-runs/${run.id}`);
    if (['complete', 'failed', 'cancelled'].includes(status.status)) break;
    if (Date.now() - started > 120_000) throw new Error(`run ${run.id} did not finish in 120 s: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (status.status !== 'complete') throw new Error(`run ${run.id} ended ${status.status}: ${status.error}`);
  log(`run ${run.id}: ${status.progress.rowsDone} activities in ${status.progress.chunksTotal} chunks, ${Date.now() - started} ms`);

  const inventory = await api<InventoryResponse>(base, key, 'GET', `/v1/organisations/${orgId}/inventory?period=2024`);
  console.log('\n' + formatInventory(sample.name, inventory) + '\n');

  if (options.exit) {
    await worker.stop();
    await admin.stop();
    await analytics.close();
    return;
  }
  console.log(`Admin API and worker keep running on ${base}. Try:\n  curl -H "authorization: Bearer $(cat ${keyFile})" ${base}/v1/organisations/${orgId}/inventory?period=2024\nCtrl-C stops them.`);
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.allSettled([worker.stop(), admin.stop()]).then(() => analytics.close()).then(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
