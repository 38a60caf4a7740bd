import { factorSetUsableBy, storeFactorSet, storeGwpSets } from '@tally/db';
import { loadBundledGwpSets } from '@tally/factor-data';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

const steel = { key: 'purchased-goods/steel/acme', name: 'Acme steel (EPD)', unit: 'tonnes', co2e: '1850.5', gwpBasis: 'AR5', scope: 3, category: '3.1 Purchased goods', year: 2024, kind: 'supplier_specific', supplier: 'Acme Steel plc' };
const eac = {
  key: 'electricity/market-based/rego',
  name: 'REGO-backed supply',
  unit: 'kWh',
  co2e: '0',
  gwpBasis: 'AR5',
  scope: 2,
  category: '2 Purchased electricity',
  region: 'gb',
  year: 2024,
  kind: 'contractual_instrument',
  supplier: 'Good Energy',
  instrument: { type: 'EAC', trackingSystem: 'REGO', volumeMWh: '1200', entityCodes: ['SITE-1'], validFrom: '2024-01-01', validTo: '2024-12-31', certificateIds: ['G01234ABC-0001', 'G01234ABC-0002'] },
};
const residual = { key: 'electricity/market-based/residual-mix', name: 'GB residual mix 2024', unit: 'kWh', gases: { CO2: '0.35', CH4: '0.00002' }, co2e: '0.3506', gwpBasis: 'AR5', scope: 2, category: '2 Purchased electricity', region: 'GB', year: 2024, kind: 'residual_mix' };
const body = { series: 'Suppliers-2024', description: 'Supplier EPDs and REGOs', factors: [steel, eac, residual] };

describe('organisation factor sets API', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let a: { orgId: string; key: string };
  let b: { orgId: string; key: string };
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    await storeGwpSets(t.db.pg, await loadBundledGwpSets());
    const grid = { id: 'pub-grid:GB', factorSetId: 'pub-grid', activityKey: 'electricity/grid', name: 'Grid', scope: 2 as const, category: '2', region: 'GB', year: 2024, unit: 'kWh', co2e: '0.2', gasBasis: 'co2e' as const, gwpBasis: 'AR5', gases: {}, sourceRef: 'r', sourceRows: [] };
    const meta = { id: 'pub-grid', source: 'test', edition: '1', publicationYear: 2024, licence: 'CC0', region: 'GB', gwpBasis: 'AR5' };
    await storeFactorSet(t.db.pg, { meta, fileName: 'grid.csv', checksum: 'pub-grid-checksum', factors: [grid], skipped: [] });
    app = await startTestApp(t.db);
    a = await seedOrganisation(app, 'Org A');
    b = await seedOrganisation(app, 'Org B');
  });
  afterAll(() => app.stop());

  it('creates version 1 of a series; the same content again is a no-op', async () => {
    const r = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/factor-sets`, body);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ created: true, factorCount: 3, factorSet: { orgId: a.orgId, series: 'suppliers-2024', version: 1, supersedes: null, retiredAt: null, description: 'Supplier EPDs and REGOs', factorCount: 3 } });
    v1 = r.body.factorSet.id;
    expect(v1).toMatch(/^org-[0-9a-f]{12}-suppliers-2024-v1$/);
    const again = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/factor-sets`, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, factorCount: 3, factorSet: { id: v1, version: 1 } });
    // Another organisation with the same content gets its own set.
    const other = await app.call(b.key, 'POST', `/v1/organisations/${b.orgId}/factor-sets`, body);
    expect(other.status).toBe(201);
    expect(other.body.factorSet.id).not.toBe(v1);
    expect(other.body.factorSet.checksumSha256).not.toBe(r.body.factorSet.checksumSha256);
  });

  it('round-trips supplier-specific, contractual-instrument and residual-mix factors', async () => {
    const r = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/factor-sets/${v1}`);
    expect(r.status).toBe(200);
    expect(r.body.factorSet).toMatchObject({ id: v1, version: 1 });
    const [s, e, m] = r.body.factors;
    expect(s).toMatchObject({ id: `${v1}:0`, activityKey: steel.key, unit: 'tonne', co2e: '1850.5', kind: 'supplier_specific', supplier: 'Acme Steel plc', region: 'GLOBAL', gasBasis: 'co2e' });
    expect(e).toMatchObject({ id: `${v1}:1`, kind: 'contractual_instrument', region: 'GB', co2e: '0', supplier: 'Good Energy', sourceRef: 'organisation-provided factor /factors/1' });
    expect(e.instrument).toEqual(eac.instrument);
    expect(m).toMatchObject({ kind: 'residual_mix', gasBasis: 'mass', co2e: '0.3506', gases: { CO2: '0.35', CH4: '0.00002' } });
    expect(m.instrument).toBeUndefined();
    const viaLibrary = await app.call(a.key, 'GET', `/v1/factors/${encodeURIComponent(`${v1}:1`)}`);
    expect(viaLibrary.body).toMatchObject({ kind: 'contractual_instrument', instrument: { type: 'EAC', volumeMWh: '1200' } });
    expect((await app.call(a.key, 'GET', '/v1/factors/pub-grid%3AGB')).body).toMatchObject({ kind: 'published' });
  });

  it('updates by adding version 2, which supersedes version 1; version 1 is unchanged', async () => {
    const r = await app.call(a.key, 'PUT', `/v1/organisations/${a.orgId}/factor-sets/${v1}`, { factors: [{ ...steel, co2e: '1700' }, eac] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ created: true, factorCount: 2, factorSet: { series: 'suppliers-2024', version: 2, supersedes: v1 } });
    v2 = r.body.factorSet.id;
    const old = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/factor-sets/${v1}`);
    expect(old.body.factorSet).toMatchObject({ version: 1, factorCount: 3, retiredAt: null });
    expect(old.body.factors.map((f: { co2e: string }) => f.co2e)).toEqual(['1850.5', '0', '0.3506']);
    const list = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/factor-sets`);
    expect(list.body.factorSets.map((s: any) => [s.id, s.series, s.version, s.supersedes, s.factorCount])).toEqual([
      [v1, 'suppliers-2024', 1, null, 3],
      [v2, 'suppliers-2024', 2, v1, 2],
    ]);
    const diff = await app.call(a.key, 'GET', `/v1/factor-sets/${v1}/diff/${v2}`);
    expect(diff.body.counts).toEqual({ appeared: 0, disappeared: 1, changed: 1, unchanged: 1 });
    const renamed = await app.call(a.key, 'PUT', `/v1/organisations/${a.orgId}/factor-sets/${v1}`, { series: 'other', factors: [steel] });
    expect(renamed.status).toBe(400);
    expect(renamed.body.errors).toEqual([{ pointer: '/series', detail: 'must be this set\'s series ("suppliers-2024") or left out' }]);
  });

  it('lists every invalid field with its JSON pointer', async () => {
    const r = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/factor-sets`, {
      series: 'bad name!',
      factors: [
        { ...steel, unit: 'parsec', gwpBasis: 'AR9' },
        { ...eac, instrument: { ...eac.instrument, type: 'REC', validTo: '2023-12-31' } },
        { ...residual, scope: 4, gases: { CH4: 'lots' } },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ type: 'urn:tally:problem:validation', status: 400 });
    expect(r.body.errors).toEqual([
      { pointer: '/series', detail: 'lower-case letters, digits, ".", "_" and "-", at most 63' },
      { pointer: '/factors/0/unit', detail: 'unknown unit "parsec"' },
      { pointer: '/factors/0/gwpBasis', detail: expect.stringMatching(/^unknown GWP set "AR9" \(one of .*AR5.*\)$/) },
      { pointer: '/factors/1/instrument/type', detail: 'must be one of EAC, PPA, supplier_contract, green_tariff, self_generation' },
      { pointer: '/factors/1/instrument/validTo', detail: 'must not be before validFrom (2024-01-01)' },
      { pointer: '/factors/2/gases/CH4', detail: '"lots" is not a decimal number' },
      { pointer: '/factors/2/scope', detail: 'must be 1, 2 or 3' },
    ]);
    const missing = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/factor-sets`, {});
    expect(missing.body.errors).toEqual([
      { pointer: '/series', detail: 'is required' },
      { pointer: '/factors', detail: 'must be an array of factors, not undefined' },
    ]);
  });

  it('retires a set: still readable, no longer usable in new runs; retiring again is a conflict', async () => {
    expect(await factorSetUsableBy(t.db.pool, v1, a.orgId)).toBe(true);
    expect((await app.call(a.key, 'DELETE', `/v1/organisations/${a.orgId}/factor-sets/${v1}`)).status).toBe(204);
    const again = await app.call(a.key, 'DELETE', `/v1/organisations/${a.orgId}/factor-sets/${v1}`);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:tally:problem:already-retired');
    const r = await app.call(a.key, 'GET', `/v1/organisations/${a.orgId}/factor-sets/${v1}`);
    expect(r.body.factorSet.retiredAt).toEqual(expect.any(String));
    expect(r.body.factors).toHaveLength(3);
    expect((await app.call(a.key, 'GET', `/v1/factor-sets/${v1}`)).status).toBe(200);
    expect(await factorSetUsableBy(t.db.pool, v1, a.orgId)).toBe(false);
    expect(await factorSetUsableBy(t.db.pool, v2, a.orgId)).toBe(true);
    expect(await factorSetUsableBy(t.db.pool, 'pub-grid', a.orgId)).toBe(true);
    expect(await factorSetUsableBy(t.db.pool, v2, b.orgId)).toBe(false);
    expect((await app.call(a.key, 'DELETE', `/v1/organisations/${a.orgId}/factor-sets/pub-grid`)).status).toBe(404);
  });

  it('keeps one organisation\'s sets from every other organisation', async () => {
    const fid = encodeURIComponent(`${v2}:0`);
    for (const [method, path, payload] of [
      ['GET', `/v1/organisations/${a.orgId}/factor-sets`],
      ['POST', `/v1/organisations/${a.orgId}/factor-sets`, body],
      ['GET', `/v1/organisations/${a.orgId}/factor-sets/${v2}`],
      ['PUT', `/v1/organisations/${a.orgId}/factor-sets/${v2}`, { factors: [steel] }],
      ['DELETE', `/v1/organisations/${a.orgId}/factor-sets/${v2}`],
      ['GET', `/v1/organisations/${b.orgId}/factor-sets/${v2}`],
      ['PUT', `/v1/organisations/${b.orgId}/factor-sets/${v2}`, { factors: [steel] }],
      ['DELETE', `/v1/organisations/${b.orgId}/factor-sets/${v2}`],
      ['GET', `/v1/factor-sets/${v2}`],
      ['GET', `/v1/factor-sets/${v2}/factors`],
      ['GET', `/v1/factors/${fid}`],
      ['GET', `/v1/factor-sets/pub-grid/diff/${v2}`],
      ['GET', `/v1/factor-sets/${v1}/diff/${v2}`],
    ] as const) {
      const r = await app.call(b.key, method, path, payload);
      expect({ method, path, status: r.status }).toEqual({ method, path, status: 404 });
    }
    const seenByB = (await app.call(b.key, 'GET', '/v1/factor-sets')).body.factorSets.map((s: { id: string }) => s.id);
    expect(seenByB).toContain('pub-grid');
    expect(seenByB).not.toContain(v1);
    expect(seenByB).not.toContain(v2);
    expect(seenByB.filter((id: string) => id.startsWith('org-'))).toHaveLength(1); // its own
    // Org A and the operator read A's sets through the shared routes.
    expect((await app.call(a.key, 'GET', `/v1/factor-sets/${v2}/factors`)).body.factors).toHaveLength(2);
    expect((await app.call(a.key, 'GET', '/v1/factor-sets')).body.factorSets.map((s: { id: string }) => s.id)).toEqual(['pub-grid', v1, v2]);
    expect((await app.call(ADMIN_TOKEN, 'GET', '/v1/factor-sets')).body.factorSets).toHaveLength(4);
    expect((await app.call(ADMIN_TOKEN, 'GET', `/v1/factors/${fid}`)).status).toBe(200);
    expect((await app.call(ADMIN_TOKEN, 'GET', `/v1/organisations/${a.orgId}/factor-sets`)).body.factorSets).toHaveLength(2);
  });
});
