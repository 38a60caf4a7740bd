import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bindWorkerEvents, createRegistry, createWorkerMetrics } from './index.ts';

describe('worker metrics', () => {
  it('counts jobs by task and outcome and times them', async () => {
    const registry = createRegistry('test');
    const m = createWorkerMetrics(registry);
    const events = new EventEmitter();
    bindWorkerEvents(events as never, m);
    const job = { task_identifier: 'calculate_chunk', attempts: 1, max_attempts: 3 };
    events.emit('job:start', { job });
    events.emit('job:success', { job });
    const job2 = { task_identifier: 'calculate_chunk', attempts: 3, max_attempts: 3 };
    events.emit('job:start', { job: job2 });
    events.emit('job:error', { job: job2 });
    const text = await registry.metrics();
    expect(text).toContain('tally_jobs_finished_total{task="calculate_chunk",outcome="success",app="test"} 1');
    expect(text).toContain('tally_jobs_finished_total{task="calculate_chunk",outcome="error",app="test"} 1');
    expect(text).toMatch(/^tally_job_duration_seconds_count\{[^}]*task="calculate_chunk"[^}]*\} 2$/m);
  });
});
