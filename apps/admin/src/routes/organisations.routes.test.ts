import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe('organisations, entities and API keys', () => {
  const t = useTestDatabase();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(t.db);
  });
  afterAll(() => app.stop());

  it('creates an organisation with an entity tree and a hashed key', async () => {
    const { orgId, key } = await seedOrganisation(app, 'Acme');
    expect(key).toMatch(/^tly_[0-9a-f]{12}_/);
    const entities = await app.call(key, 'GET', `/v1/organisations/${orgId}/entities`);
    expect(entities.status).toBe(200);
    const site = entities.body.entities.find((e: { code: string }) => e.code === 'SITE-1');
    const hq = entities.body.entities.find((e: { code: string }) => e.code === 'HQ');
    expect(site.parentId).toBe(hq.id);
    expect(site.country).toBe('GB');
    const stored = await t.db.pg.query('select secret_sha256 from api_keys where org_id = $1', [orgId]);
    expect(stored.rows).toHaveLength(1);
    // The secret is what follows the key id: base64url, which may itself hold '_'.
    const secret = key.slice('tly_'.length + 12 + 1);
    expect(secret).toHaveLength(43);
    expect(stored.rows[0].secret_sha256.toString('utf8')).not.toContain(secret);
  });

  it('rejects requests without a valid key, and non-operators creating organisations', async () => {
    expect((await app.call('nope', 'GET', '/v1/factor-sets')).status).toBe(401);
    const fake = 'tly_000000000000_' + 'A'.repeat(43);
    expect((await app.call(fake, 'GET', '/v1/factor-sets')).status).toBe(401);
    const { key } = await seedOrganisation(app, 'Beta');
    const r = await app.call(key, 'POST', '/v1/organisations', { name: 'Sneaky' });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it("never lets one organisation's key read another's data", async () => {
    const a = await seedOrganisation(app, 'Tenant A');
    const b = await seedOrganisation(app, 'Tenant B');
    const csv = 'entity,date,activity_type,quantity,unit\nHQ,2024-01-05,fuels/liquid-fuels/diesel,10,litres\n';
    const imp = await app.call(b.key, 'POST', `/v1/organisations/${b.orgId}/activity-imports`, csv, { 'content-type': 'text/csv' });
    expect(imp.status).toBe(201);
    for (const path of [
      `/v1/organisations/${b.orgId}`,
      `/v1/organisations/${b.orgId}/entities`,
      `/v1/organisations/${b.orgId}/activity-imports/${imp.body.importId}`,
      `/v1/organisations/${b.orgId}/activity-imports/${imp.body.importId}/rejections`,
      `/v1/organisations/${b.orgId}/inventory?period=2024`,
    ]) {
      const r = await app.call(a.key, 'GET', path);
      expect(r.status, path).toBe(404);
    }
    // nor write into it
    const w = await app.call(a.key, 'POST', `/v1/organisations/${b.orgId}/activity-imports`, csv, { 'content-type': 'text/csv' });
    expect(w.status).toBe(404);
    const e = await app.call(a.key, 'POST', `/v1/organisations/${b.orgId}/entities`, { code: 'X', name: 'X', kind: 'site', country: 'GB' });
    expect(e.status).toBe(404);
    // and its own import endpoint cannot address B's import id
    const cross = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/activity-imports/${imp.body.importId}`);
    expect(cross.status).toBe(404);
    // the operator reads both
    expect((await app.call(ADMIN_TOKEN, 'GET', `/v1/organisations/${b.orgId}/entities`)).status).toBe(200);
  });

  it('sets the organisation\'s match review threshold, which runs take unless they say otherwise', async () => {
    const a = await seedOrganisation(app, 'Thresholds');
    const b = await seedOrganisation(app, 'Thresholds B');
    expect((await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}`)).body.matchThreshold).toBe('0.85');
    const p = await app.call(a.key, 'PATCH', `/v1/organisations/${a.orgId}`, { matchThreshold: 0.65 });
    expect(p).toMatchObject({ status: 200, body: { matchThreshold: '0.65' } });
    expect((await app.call(a.key, 'PATCH', `/v1/organisations/${a.orgId}`, { matchThreshold: 2 })).status).toBe(400);
    expect((await app.call(b.key, 'PATCH', `/v1/organisations/${a.orgId}`, { matchThreshold: 0.1 })).status).toBe(404);
  });

  it("sets whether the organisation's matches use Tally's shipped labelled lines, which runs take unless they say otherwise", async () => {
    const a = await seedOrganisation(app, 'Own conventions');
    expect((await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}`)).body.useShippedLabels).toBe(true);
    expect(await app.call(a.key, 'PATCH', `/v1/organisations/${a.orgId}`, { useShippedLabels: false })).toMatchObject({ status: 200, body: { useShippedLabels: false, matchThreshold: '0.85' } });
    expect((await app.call(a.key, 'PATCH', `/v1/organisations/${a.orgId}`, { useShippedLabels: 'no' })).status).toBe(400);
    const created = await app.call(ADMIN_TOKEN, 'POST', '/v1/organisations', { name: 'Own from the start', useShippedLabels: false });
    expect(created.body.organisation).toMatchObject({ useShippedLabels: false });
  });

  it('validates entity input with problem details', async () => {
    const { orgId, key } = await seedOrganisation(app, 'Gamma');
    const bad = await app.call(key, 'POST', `/v1/organisations/${orgId}/entities`, { code: 'S2', name: 'S2', kind: 'factory', country: 'GBR' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/country', '/kind']);
    const dup = await app.call(key, 'POST', `/v1/organisations/${orgId}/entities`, { code: 'HQ', name: 'again', kind: 'site', country: 'GB' });
    expect(dup.status).toBe(409);
    const orphan = await app.call(key, 'POST', `/v1/organisations/${orgId}/entities`, { code: 'S3', name: 'S3', kind: 'site', country: 'GB', parentCode: 'NOPE' });
    expect(orphan.status).toBe(422);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.base}/readyz`)).status).toBe(200);
    const m = await (await fetch(`${app.base}/metrics`)).text();
    expect(m).toMatch(/http_requests_total\{[^}]*route="\/v1\/organisations\/:orgId\/entities"[^}]*status_code="201"/);
    expect(m).toContain('process_resident_memory_bytes');
  });
});
