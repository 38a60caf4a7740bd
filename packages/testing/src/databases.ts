import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '@tally/db';

export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `tally_tpl_${randomBytes(5).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name}`));
  await migrate(databaseUrl(serverUrl, name));
  await admin(serverUrl, (c) => c.query(`alter database ${name} is_template true`));
  return name;
}

/** A fresh database cloned from the migrated template; each test file gets its own. */
export async function cloneDatabase(serverUrl: string, template: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `tally_t_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name} template ${template}`));
  return { name, url: databaseUrl(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, async (c) => {
    await c.query(`alter database ${name} is_template false`).catch(() => undefined);
    await c.query(`drop database if exists ${name} with (force)`);
  });
}
