import { createRun, findRun, type Db, type RunRow } from '@tally/db';

/**
 * Polls `fn` until it gives a truthy value. A poll that throws (a database restarting under a
 * fault test) counts as not yet; past `timeoutMs` the error names what was awaited and the last
 * failure.
 */
export async function waitFor<V>(what: string, fn: () => Promise<V | undefined | null | false>, timeoutMs = 60_000, everyMs = 50): Promise<V> {
  const start = Date.now();
  let lastError: unknown;
  for (;;) {
    const v = await fn().catch((e: unknown) => ((lastError = e), undefined));
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last poll failed: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const FINISHED = ['complete', 'failed', 'cancelled'];

/** The run once its status is one of `statuses` (by default, once it has finished). */
export const waitForRun = (pool: Db['pool'], runId: string, { statuses = FINISHED, timeoutMs = 60_000 }: { statuses?: string[]; timeoutMs?: number } = {}): Promise<RunRow> =>
  waitFor(
    `run ${runId} to be ${statuses.join('|')}`,
    async () => {
      const r = await findRun(pool, runId);
      return r && statuses.includes(r.status) ? r : undefined;
    },
    timeoutMs,
  );

/** Creates a run (createRun) and gives it back once it has finished. */
export async function runUntilFinished(pool: Db['pool'], input: Parameters<typeof createRun>[1]): Promise<RunRow> {
  return waitForRun(pool, (await createRun(pool, input)).id);
}
