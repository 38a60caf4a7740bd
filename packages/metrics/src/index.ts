import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Registry };

/** One registry per process, with process/runtime metrics and an `app` label. */
export function createRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

// ---- HTTP (RED) ------------------------------------------------------------------------------

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route' | 'status_code'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route template and status', labelNames: ['method', 'route', 'status_code'], registers: [registry] }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

interface MinimalReq {
  method: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
interface MinimalRes {
  statusCode: number;
  on(event: 'finish', cb: () => void): unknown;
}

/**
 * Express middleware. Labels use the matched route template (never the raw URL, which would carry
 * ids and explode cardinality); unmatched requests are labelled "unmatched".
 */
export function httpMetricsMiddleware(m: HttpMetrics) {
  return (req: MinimalReq, res: MinimalRes, next: () => void): void => {
    const end = m.duration.startTimer();
    res.on('finish', () => {
      const path = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      const labels = { method: req.method, route: path, status_code: String(res.statusCode) };
      m.requests.inc(labels);
      end(labels);
    });
    next();
  };
}

// ---- Domain --------------------------------------------------------------------------------

export function createImportMetrics(registry: Registry) {
  return {
    rows: new Counter({ name: 'tally_activity_rows_imported_total', help: 'Uploaded activity rows by outcome', labelNames: ['outcome'], registers: [registry] }),
  };
}
export type ImportMetrics = ReturnType<typeof createImportMetrics>;

export function createWorkerMetrics(registry: Registry) {
  return {
    jobsStarted: new Counter({ name: 'tally_jobs_started_total', help: 'graphile-worker jobs started', labelNames: ['task'], registers: [registry] }),
    jobsFinished: new Counter({ name: 'tally_jobs_finished_total', help: 'graphile-worker jobs finished by outcome (error = will retry, failed = out of attempts)', labelNames: ['task', 'outcome'], registers: [registry] }),
    jobDuration: new Histogram({
      name: 'tally_job_duration_seconds',
      help: 'graphile-worker job duration',
      labelNames: ['task'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    rowsCalculated: new Counter({ name: 'tally_rows_calculated_total', help: 'Activity rows calculated by result status', labelNames: ['status'], registers: [registry] }),
    rowsMatched: new Counter({
      name: 'tally_rows_matched_total',
      help: 'Activity rows whose factor the matching engine chose, by method (rule, code, text, none) and result status (unmatched: held for review or no match)',
      labelNames: ['method', 'status'],
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'tally_calc_batch_duration_seconds',
      help: 'Time of one calculation task in the thread pool, queueing included',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    poolQueueSize: new Gauge({ name: 'tally_piscina_queue_size', help: 'Tasks waiting for a calculation thread', registers: [registry] }),
    poolThreads: new Gauge({ name: 'tally_piscina_threads', help: 'Calculation threads alive', registers: [registry] }),
    runsFinished: new Counter({ name: 'tally_runs_finished_total', help: 'Calculation runs finished by status', labelNames: ['status'], registers: [registry] }),
    chunks: new Counter({
      name: 'tally_chunks_total',
      help: 'Chunk jobs finished by outcome (done = written, retried = failed and will retry, parked = dead-lettered, cancelled = run no longer running)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deadLettersParked: new Gauge({ name: 'tally_dead_letters_parked', help: 'Chunks parked in dead_letters awaiting the operator (fleet-wide, sampled by every worker)', registers: [registry] }),
    runProgress: new Gauge({ name: 'tally_run_progress_ratio', help: 'Rows done / rows total of each running run (active runs only)', labelNames: ['run_id'], registers: [registry] }),
    runRowsPerSecond: new Gauge({ name: 'tally_run_rows_per_second', help: 'Rows done per second since the run started (active runs only)', labelNames: ['run_id'], registers: [registry] }),
    runChunksParked: new Gauge({ name: 'tally_run_chunks_parked', help: 'Parked chunks of each running run (active runs only)', labelNames: ['run_id'], registers: [registry] }),
    staleWorkersUnlocked: new Counter({ name: 'tally_stale_workers_unlocked_total', help: 'Worker processes found dead by their missing heartbeat whose job locks were released', registers: [registry] }),
    heartbeatFailures: new Counter({ name: 'tally_worker_heartbeat_failures_total', help: 'Heartbeats that could not be written', registers: [registry] }),
    analyticsRowsCopied: new Counter({
      name: 'tally_analytics_rows_copied_total',
      help: 'Result rows copied to the analytics store (ClickHouse): as each chunk commits, or at finalisation (chunks not yet copied, rows carried forward)',
      labelNames: ['stage'],
      registers: [registry],
    }),
    analyticsCopyFailures: new Counter({ name: 'tally_analytics_chunk_copy_failures_total', help: 'Chunks whose copy to the analytics store failed (finalisation copies them)', registers: [registry] }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

interface JobEvent {
  job: { task_identifier: string; attempts: number; max_attempts: number };
}
interface WorkerEvents {
  on(event: 'job:start', cb: (e: JobEvent) => void): unknown;
  on(event: 'job:success', cb: (e: JobEvent) => void): unknown;
  on(event: 'job:error', cb: (e: JobEvent) => void): unknown;
  on(event: 'job:failed', cb: (e: JobEvent) => void): unknown;
}

/** Maps graphile-worker events to RED metrics per task. */
export function bindWorkerEvents(events: WorkerEvents, m: WorkerMetrics): void {
  const started = new WeakMap<object, () => void>();
  const finish = (e: JobEvent, outcome: string) => {
    m.jobsFinished.inc({ task: e.job.task_identifier, outcome });
    started.get(e.job)?.();
    started.delete(e.job);
  };
  events.on('job:start', (e) => {
    m.jobsStarted.inc({ task: e.job.task_identifier });
    started.set(e.job, m.jobDuration.startTimer({ task: e.job.task_identifier }));
  });
  events.on('job:success', (e) => finish(e, 'success'));
  events.on('job:error', (e) => finish(e, 'error'));
  events.on('job:failed', (e) => finish(e, 'failed'));
}
