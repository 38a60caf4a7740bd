import type { TestProject } from 'vitest/node';
import { createTemplateDatabase, dropDatabase } from './databases.ts';
import { startPostgres, type LocalPostgres } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
  }
}

/**
 * Integration-test setup: uses DATABASE_URL when set, else starts a throwaway cluster; builds one
 * migrated template database that each test file clones (CREATE DATABASE ... TEMPLATE).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let local: LocalPostgres | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    local = await startPostgres();
    url = local.url;
  }
  const template = await createTemplateDatabase(url);
  project.provide('databaseUrl', url);
  project.provide('templateDatabase', template);
  return async () => {
    await dropDatabase(url, template).catch(() => undefined);
    await local?.stop();
  };
}
