import { storeFactorSet } from '@tally/db';
import { loadBundledFactorSet } from '@tally/factor-data';
import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe('factor library API', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let key: string;
  beforeAll(async () => {
    await storeBundledReference(t.db, { factorSets: ['desnz-2024', 'desnz-2025'] });
    app = await startTestApp(t.db);
    ({ key } = await seedOrganisation(app, 'Reader'));
  });
  afterAll(() => app.stop());

  it('lists sets with their provenance, and re-importing the same file is a no-op', async () => {
    const r = await app.call(key, 'GET', '/v1/factor-sets');
    expect(r.body.factorSets.map((s: { id: string }) => s.id)).toEqual(['desnz-2024', 'desnz-2025']);
    expect(r.body.factorSets[1]).toMatchObject({ source: 'DESNZ/Defra GHG conversion factors', edition: '2025', licence: 'OGL-3.0', gwpBasis: 'AR5', factorCount: 2672 });
    const l = await loadBundledFactorSet('desnz-2025');
    const again = await storeFactorSet(t.db.pg, { meta: l.meta, fileName: l.fileName, checksum: l.checksum, factors: l.result.factors, skipped: l.result.skipped });
    expect(again).toEqual({ id: 'desnz-2025', created: false, factorCount: 2672 });
    await expect(storeFactorSet(t.db.pg, { meta: { ...l.meta, id: 'other' }, fileName: 'x', checksum: l.checksum, factors: [], skipped: [] })).rejects.toThrow(/already imported as factor set desnz-2025/);
  });

  it('lets a set grow by factors newly read from the same publication, but never change one it holds', async () => {
    const l = await loadBundledFactorSet('desnz-2025');
    const meta = { ...l.meta, id: 'grow-test' };
    const [a, b] = l.result.factors.slice(0, 2).map((f) => ({ ...f, id: f.id.replace('desnz-2025', 'grow-test'), factorSetId: 'grow-test' }));
    const extra = { ...a!, id: 'grow-test:extra', activityKey: 'test/extra', name: 'Extra' };
    const store = (checksum: string, factors: (typeof a)[]) => storeFactorSet(t.db.pg, { meta, fileName: `${checksum}.csv`, checksum, factors: factors as NonNullable<typeof a>[], skipped: [] });
    expect(await store('c1', [a, b])).toEqual({ id: 'grow-test', created: true, factorCount: 2 });
    // The same factors (their jsonb written with other key orders) and one more: the set grows.
    expect(await store('c2', [{ ...b!, gases: Object.fromEntries(Object.entries(b!.gases).reverse()) }, extra, a])).toEqual({ id: 'grow-test', created: false, factorCount: 3, added: 1 });
    expect(await store('c2', [a, b, extra])).toEqual({ id: 'grow-test', created: false, factorCount: 3 });
    await expect(store('c3', [a, { ...b!, co2e: '999' }, extra])).rejects.toThrow(/changes its factor grow-test:.*import a new edition under a new id/);
    await expect(store('c4', [a, extra])).rejects.toThrow(/lacks 1 of its factors/);
    const r = await app.call(key, 'GET', '/v1/factor-sets/grow-test/factors?limit=10');
    expect(r.body.factors.map((f: { id: string }) => f.id).sort()).toEqual([a!.id, b!.id, extra.id].sort());
  });

  it('searches a set by words, unit and scope, with keyset pagination', async () => {
    const r = await app.call(key, 'GET', '/v1/factor-sets/desnz-2025/factors?q=diesel%20average%20biofuel&unit=litres&scope=1&limit=1');
    expect(r.status).toBe(200);
    expect(r.body.factors).toHaveLength(1);
    expect(r.body.factors[0]).toMatchObject({ unit: 'litre', scope: 1 });
    expect(r.body.next).toContain('after=');
    const page2 = await app.call(key, 'GET', `/v1/factor-sets/desnz-2025/factors${r.body.next}`);
    expect(page2.body.factors[0]?.id ?? '').not.toBe(r.body.factors[0].id);
    const bad = await app.call(key, 'GET', '/v1/factor-sets/desnz-2025/factors?unit=parsecs');
    expect(bad.status).toBe(400);
  });

  it('shows a factor with its per-gas values and the published rows it came from', async () => {
    const r = await app.call(key, 'GET', `/v1/factors/${encodeURIComponent('desnz-2025:7_400_4000_5')}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ co2e: '0.177', gases: { CO2: '0.17489', CH4: '0.0009', N2O: '0.00122' }, gwpBasis: 'AR5' });
    expect(r.body.sourceRows.map((x: { id: string }) => x.id)).toEqual(['7_400_4000_5_1', '7_400_4000_5_2', '7_400_4000_5_3', '7_400_4000_5_4']);
    expect((await app.call(key, 'GET', '/v1/factors/nope')).status).toBe(404);
  });

  it('diffs two editions', async () => {
    const r = await app.call(key, 'GET', '/v1/factor-sets/desnz-2024/diff/desnz-2025');
    expect(r.status).toBe(200);
    const grid = r.body.changed.find((c: { activityKey: string }) => c.activityKey === 'uk-electricity/electricity-generated/electricity-uk');
    expect(grid).toMatchObject({ fromCo2e: '0.20705', co2e: '0.177', delta: '-0.03005', relative: '-0.145134' });
    expect(r.body.counts.changed + r.body.counts.unchanged + r.body.counts.appeared).toBe(2672);
  });
});
