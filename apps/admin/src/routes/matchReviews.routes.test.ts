import { createMappingRule } from '@tally/db';
import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe('match reviews and mapping rules through the API', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let a: { orgId: string; key: string };
  let b: { orgId: string; key: string };
  beforeAll(async () => {
    // Rules name EPA supply chain keys (naics-2017/...), which a rule must find in a usable set.
    await storeBundledReference(t.db, { factorSets: ['epa-sc-v1.3.0'] });
    app = await startTestApp(t.db);
    a = await seedOrganisation(app, 'Reviewer');
    b = await seedOrganisation(app, 'Other');
  });
  afterAll(() => app.stop());

  it('stores a decision as an exact rule with who set it; a newer decision on the same text replaces it', async () => {
    const first = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text: 'nut hex brass 1/4-20', key: 'naics-2017/332722' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'exact', field: 'description', pattern: 'nut hex brass 1/4-20', key: 'naics-2017/332722', createdBy: expect.stringMatching(/^api-key:/), retiredAt: null });
    const second = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text: 'NUT HEX BRASS 1/4-20', key: 'naics-2017/332999' });
    const live = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`);
    expect(live.body.rules.map((r: { id: string }) => r.id)).toEqual([second.body.id]);
    const all = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules?retired=true`);
    expect(all.body.rules).toHaveLength(2);
  });

  it("stores a decision for a group's category as a rule for that category, beside the text's rule for any category", async () => {
    const text = 'fitting 2 in';
    const any = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/332913' });
    const pipe = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/326122', category: 'pipe' });
    const wiring = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/335931', category: 'wiring' });
    expect(any.body).toMatchObject({ category: null });
    expect(pipe).toMatchObject({ status: 201, body: { kind: 'exact', field: 'description', pattern: text, key: 'naics-2017/326122', category: 'pipe' } });
    // a newer decision for PIPE replaces only PIPE's rule
    const pipeAgain = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/332996', category: 'PIPE' });
    const live = (await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`)).body.rules.filter((r: { pattern: string }) => r.pattern === text);
    expect(live.map((r: { id: string }) => r.id).sort()).toEqual([any.body.id, wiring.body.id, pipeAgain.body.id].sort());
    const onCategory = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/mapping-rules`, { field: 'category', pattern: 'pipe', key: 'naics-2017/326122', category: 'pipe' });
    expect(onCategory).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ pointer: '/category' })] } });
  });

  it('stores a decision for one region as a rule for rows there, beside the rule for any region; a region must be a region code', async () => {
    const text = 'electricity';
    const any = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/335312' });
    const gb = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/335311', region: ' gb ' });
    expect(any.body).toMatchObject({ region: null });
    expect(gb).toMatchObject({ status: 201, body: { pattern: text, key: 'naics-2017/335311', region: 'GB' } });
    // a newer decision for GB replaces only GB's rule
    const gbAgain = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/mapping-rules`, { pattern: text, key: 'naics-2017/335999', region: 'GB' });
    const live = (await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`)).body.rules.filter((r: { pattern: string }) => r.pattern === text);
    expect(live.map((r: { id: string; region: string | null }) => [r.id, r.region])).toEqual([[any.body.id, null], [gbAgain.body.id, 'GB']]);
    const bad = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text, key: 'naics-2017/335311', region: 'Great Britain' });
    expect(bad).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ pointer: '/region' })] } });
    const csv = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, 'text,key,for_region\r\nelectricity,naics-2017/335311,US-EGRID\r\nelectricity,naics-2017/335311,U S\r\n', { 'content-type': 'text/csv' });
    expect(csv).toMatchObject({ status: 400, body: { errors: [{ line: 3, column: 'for_region', detail: expect.stringContaining('region code') }] } });
  });

  it('stores many decisions at once, all or none', async () => {
    const url = `/v1/organisations/${a.orgId}/match-reviews`;
    const batch = [
      { text: 'elbow pvc 90 deg 1 in', key: 'naics-2017/326122' },
      { text: 'plug electric cord', key: 'naics-2017/335931', category: 'wiring' },
    ];
    const withTypo = await app.call(a.key, 'POST', url, { decisions: [...batch, { text: 'tee brass', key: 'naics-2017/33299' }] });
    expect(withTypo).toMatchObject({ status: 422, body: { type: 'urn:tally:problem:unknown-factor-key', errors: [{ pointer: '/decisions/2/key' }] } });
    const patterns = async () => (await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`)).body.rules.map((r: { pattern: string }) => r.pattern);
    expect(await patterns()).not.toContain('elbow pvc 90 deg 1 in');
    const ok = await app.call(a.key, 'POST', url, { decisions: batch });
    expect(ok).toMatchObject({ status: 201, body: { rules: [{ pattern: batch[0]!.text, category: null }, { pattern: batch[1]!.text, key: 'naics-2017/335931', category: 'wiring' }] } });
    expect(await patterns()).toEqual(expect.arrayContaining(batch.map((d) => d.text)));
    expect((await app.call(a.key, 'POST', url, { decisions: [] })).status).toBe(400);
  });

  it('stores decisions on the same text made at the same time one after the other, so one stays live', async () => {
    const keys = ['naics-2017/332913', 'naics-2017/326122', 'naics-2017/332996', 'naics-2017/332919'];
    const decide = (key: string) => createMappingRule(t.db.pool, a.orgId, { kind: 'exact', field: 'description', pattern: 'union brass 1 in', key, createdBy: 'test' });
    await Promise.all([...keys, ...keys].map(decide));
    const live = (await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`)).body.rules.filter((r: { pattern: string }) => r.pattern === 'union brass 1 in');
    expect(live).toHaveLength(1);
  });

  it('creates, validates and retires rules; another organisation sees none of them', async () => {
    const bad = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/mapping-rules`, { kind: 'regex', pattern: '([', key: 'x' });
    expect(bad.status).toBe(400);
    // a key no usable factor set has, such as a mistyped code, is refused rather than stored
    const unknownKey = { status: 422, body: { type: 'urn:tally:problem:unknown-factor-key', errors: [{ pointer: '/key' }] } };
    expect(await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/mapping-rules`, { pattern: 'acme', key: 'naics-2017/332217' })).toMatchObject(unknownKey);
    expect(await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/match-reviews`, { text: 'acme', key: 'naics-2017/332217' })).toMatchObject(unknownKey);
    expect((await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`)).body.rules.some((r: { pattern: string }) => r.pattern === 'acme')).toBe(false);
    const rule = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/mapping-rules`, { kind: 'contains', field: 'supplier', pattern: 'acme tools', key: 'naics-2017/332216' });
    expect(rule.status).toBe(201);
    expect((await app.call(b.key, 'GET', `/v1/organisations/${a.orgId}/mapping-rules`)).status).toBe(404);
    expect((await app.call(b.key, 'DELETE', `/v1/organisations/${a.orgId}/mapping-rules/${rule.body.id}`)).status).toBe(404);
    expect((await app.call(b.key, 'GET', `/v1/organisations/${b.orgId}/mapping-rules`)).body.rules).toEqual([]);
    expect((await app.call(a.key, 'DELETE', `/v1/organisations/${a.orgId}/mapping-rules/${rule.body.id}`)).status).toBe(204);
    expect((await app.call(a.key, 'DELETE', `/v1/organisations/${a.orgId}/mapping-rules/${rule.body.id}`)).status).toBe(404);
  });

  it('answers 404 for a period without a complete run, and for another organisation', async () => {
    const r = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/match-reviews?period=2024`);
    expect(r).toMatchObject({ status: 404, body: { type: 'urn:tally:problem:no-complete-run' } });
    expect((await app.call(b.key, 'GET', `/v1/organisations/${a.orgId}/match-reviews?period=2024`)).status).toBe(404);
    expect((await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/match-reviews`)).status).toBe(400);
  });
});
