import { createServer, type Server } from 'node:http';
import type { Db } from '@tally/db';
import { createRegistry } from '@tally/metrics';
import { pino } from 'pino';
import { createApp } from '../createApp.ts';

export const ADMIN_TOKEN = 'test-operator-token-0123456789abcdef';

export interface TestApp {
  base: string;
  stop(): Promise<void>;
  /** fetch with a bearer token; JSON bodies are encoded. */
  call(token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

/** The real admin app on a real HTTP server on loopback. */
export async function startTestApp(db: Db): Promise<TestApp> {
  const app = createApp({ db, registry: createRegistry('admin-test'), logger: pino({ level: 'silent' }), adminToken: ADMIN_TOKEN });
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    base,
    stop: () => new Promise((r) => server.close(() => r())),
    async call(token, method, path, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      let payload: string | undefined;
      if (typeof body === 'string') payload = body;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${base}${path}`, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON (metrics) */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

/** An organisation with a legal entity and a site, through the API. */
export async function seedOrganisation(app: TestApp, name: string): Promise<{ orgId: string; key: string }> {
  const created = await app.call(ADMIN_TOKEN, 'POST', '/v1/organisations', { name });
  if (created.status !== 201) throw new Error(`create org: ${created.status} ${JSON.stringify(created.body)}`);
  const orgId = created.body.organisation.id as string;
  const key = created.body.apiKey.token as string;
  for (const e of [
    { code: 'HQ', name: `${name} Ltd`, kind: 'legal_entity', country: 'GB' },
    { code: 'SITE-1', name: 'Site one', kind: 'site', country: 'gb', parentCode: 'HQ' },
  ]) {
    const r = await app.call(key, 'POST', `/v1/organisations/${orgId}/entities`, e);
    if (r.status !== 201) throw new Error(`create entity: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return { orgId, key };
}
