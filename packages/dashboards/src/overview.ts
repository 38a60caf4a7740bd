import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

const DS = { type: 'prometheus', uid: '${datasource}' };

const q = (expr: string, legend: string) => new DataqueryBuilder().expr(expr).legendFormat(legend);

function ts(title: string, unit: string, description: string, ...targets: DataqueryBuilder[]) {
  const p = new TimeseriesPanel().title(title).description(description).unit(unit).datasource(DS).height(8).span(12);
  for (const t of targets) p.withTarget(t);
  return p;
}

/**
 * The Tally overview: RED per route and per task for users of the API and the fleet, USE for the
 * thread pool and processes. Every expression here is also checked by promtool in the tests.
 */
export function overviewDashboard(): Dashboard {
  return new DashboardBuilder('Tally overview')
    .uid('tally-overview')
    .tags(['tally', 'generated'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('utc')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withRow(new RowBuilder('Admin API (RED)'))
    .withPanel(ts('Requests by route', 'reqps', 'Request rate by route template and status', q('sum by (route, status_code) (rate(http_requests_total{app="admin"}[$__rate_interval]))', '{{route}} {{status_code}}')))
    .withPanel(ts('5xx ratio', 'percentunit', 'Share of requests answered with a server error', q('sum(rate(http_requests_total{app="admin",status_code=~"5.."}[$__rate_interval])) / clamp_min(sum(rate(http_requests_total{app="admin"}[$__rate_interval])), 1e-9)', '5xx')))
    .withPanel(ts('p95 latency by route', 's', '95th percentile request duration', q('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{app="admin"}[$__rate_interval])))', '{{route}}')))
    .withPanel(ts('Uploaded rows', 'rowsps', 'Activity rows accepted and rejected by uploads', q('sum by (outcome) (rate(tally_activity_rows_imported_total[$__rate_interval]))', '{{outcome}}')))
    .withRow(new RowBuilder('Worker (RED per task)'))
    .withPanel(ts('Jobs finished', 'ops', 'graphile-worker jobs by task and outcome (error = retried, failed = out of attempts)', q('sum by (task, outcome) (rate(tally_jobs_finished_total[$__rate_interval]))', '{{task}} {{outcome}}')))
    .withPanel(ts('Job error ratio', 'percentunit', 'Share of jobs ending in error or failure, by task', q('sum by (task) (rate(tally_jobs_finished_total{outcome!="success"}[$__rate_interval])) / clamp_min(sum by (task) (rate(tally_jobs_finished_total[$__rate_interval])), 1e-9)', '{{task}}')))
    .withPanel(ts('p95 job duration', 's', '95th percentile job duration by task', q('histogram_quantile(0.95, sum by (le, task) (rate(tally_job_duration_seconds_bucket[$__rate_interval])))', '{{task}}')))
    .withPanel(
      new StatPanel().title('Runs finished (24 h)').description('Calculation runs finished, by status').datasource(DS).height(8).span(12)
        .withTarget(q('sum by (status) (increase(tally_runs_finished_total[24h]))', '{{status}}')),
    )
    .withRow(new RowBuilder('Recalculation fleet'))
    .withPanel(ts('Chunks by outcome', 'ops', 'Chunk jobs finished: done, retried (will run again), parked (dead-lettered), cancelled (run no longer running)', q('sum by (outcome) (rate(tally_chunks_total[$__rate_interval]))', '{{outcome}}')))
    .withPanel(
      new StatPanel().title('Parked chunks').description('Chunks waiting in dead_letters for the operator (GET /v1/dead-letters)').datasource(DS).height(8).span(6)
        .withTarget(q('max(tally_dead_letters_parked)', 'parked')),
    )
    .withPanel(
      new StatPanel().title('Dead workers released (1 h)').description('Worker processes found dead by their missing heartbeat whose job locks were released').datasource(DS).height(8).span(6)
        .withTarget(q('sum(increase(tally_stale_workers_unlocked_total[1h]))', 'released')),
    )
    .withPanel(ts('Active run progress', 'percentunit', 'Rows done / rows total of each running run', q('max by (run_id) (tally_run_progress_ratio)', '{{run_id}}')))
    .withPanel(
      ts(
        'Analytics copy',
        'rowsps',
        'Result rows copied to ClickHouse as chunks commit and at finalisation, and chunk copies that failed (finalisation copies them)',
        q('sum by (stage) (rate(tally_analytics_rows_copied_total[$__rate_interval]))', '{{stage}}'),
        q('sum(rate(tally_analytics_chunk_copy_failures_total[$__rate_interval]))', 'failed chunks'),
      ),
    )
    .withPanel(ts('Active run throughput', 'rowsps', 'Rows per second of each running run since it started', q('max by (run_id) (tally_run_rows_per_second)', '{{run_id}}')))
    .withRow(new RowBuilder('Calculation (USE)'))
    .withPanel(ts('Rows calculated', 'rowsps', 'Activity rows calculated, by result status', q('sum by (status) (rate(tally_rows_calculated_total[$__rate_interval]))', '{{status}}')))
    .withPanel(ts('Thread pool', 'short', 'Tasks waiting for a calculation thread, and threads alive', q('sum(tally_piscina_queue_size)', 'queued'), q('sum(tally_piscina_threads)', 'threads')))
    .withPanel(ts('p95 calculation batch', 's', 'Time of one calculation task in the pool, queueing included', q('histogram_quantile(0.95, sum by (le) (rate(tally_calc_batch_duration_seconds_bucket[$__rate_interval])))', 'p95')))
    .withRow(new RowBuilder('Matching'))
    .withPanel(ts('Rows matched', 'rowsps', 'Rows whose factor the matching engine chose, by method (rule, code, text, none) and result status (unmatched: held for review or no match)', q('sum by (method, status) (rate(tally_rows_matched_total[$__rate_interval]))', '{{method}} {{status}}')))
    .withPanel(
      ts(
        'Held for review',
        'percentunit',
        'Share of matched rows left uncalculated: below the confidence threshold (GET /v1/organisations/{id}/match-reviews) or with no match; a jump after a deploy or a new data feed is worth a look',
        q('sum(rate(tally_rows_matched_total{status="unmatched"}[$__rate_interval])) / clamp_min(sum(rate(tally_rows_matched_total[$__rate_interval])), 1e-9)', 'held or unmatched'),
      ),
    )
    .withRow(new RowBuilder('Processes'))
    .withPanel(ts('Resident memory', 'bytes', 'RSS per process', q('process_resident_memory_bytes{app=~"admin|worker"}', '{{app}} {{instance}}')))
    .withPanel(ts('Event-loop lag p99', 's', 'Main-thread event-loop lag', q('nodejs_eventloop_lag_p99_seconds{app=~"admin|worker"}', '{{app}} {{instance}}')))
    .withPanel(ts('CPU', 'percentunit', 'CPU seconds per second', q('rate(process_cpu_seconds_total{app=~"admin|worker"}[$__rate_interval])', '{{app}} {{instance}}')))
    .build();
}
