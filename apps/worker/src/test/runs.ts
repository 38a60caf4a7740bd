import { findRun, type Db, type RunRow } from '@tally/db';

/** The run once it is no longer queued or running (or as it is after a minute). */
export async function untilFinished(pool: Db['pool'], runId: string): Promise<RunRow | null> {
  let found = await findRun(pool, runId);
  for (let i = 0; i < 600 && found && (found.status === 'queued' || found.status === 'running'); i++) {
    await new Promise((res) => setTimeout(res, 100));
    found = await findRun(pool, runId);
  }
  return found;
}
