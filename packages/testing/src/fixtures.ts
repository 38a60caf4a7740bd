import { afterAll, beforeAll, inject } from 'vitest';
import { createDb, type Db } from '@tally/db';
import { cloneDatabase } from './databases.ts';

export interface TestDatabase {
  readonly url: string;
  readonly serverUrl: string;
  readonly db: Db;
}

/** Gives the calling test file its own database, cloned from the migrated template. */
export function useTestDatabase(): TestDatabase {
  let state: { url: string; db: Db; drop(): Promise<void> } | undefined;
  const serverUrl = inject('databaseUrl');
  beforeAll(async () => {
    const clone = await cloneDatabase(serverUrl, inject('templateDatabase'));
    state = { url: clone.url, db: await createDb(clone.url), drop: clone.drop };
  });
  afterAll(async () => {
    await state?.db.close();
    await state?.drop();
  });
  const need = () => {
    if (!state) throw new Error('useTestDatabase: used outside a test');
    return state;
  };
  return {
    get url() {
      return need().url;
    },
    get serverUrl() {
      return serverUrl;
    },
    get db() {
      return need().db;
    },
  };
}
