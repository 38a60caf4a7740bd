import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe('spend conversion tables and run options through the API', () => {
  const t = useTestDatabase();
  let app: TestApp;
  let key: string;
  let orgId: string;
  beforeAll(async () => {
    await storeBundledReference(t.db, { economics: true, factorSets: ['owid-ember-grid-2025'] });
    app = await startTestApp(t.db);
    ({ key, orgId } = await seedOrganisation(app, 'Spender'));
  });
  afterAll(() => app.stop());

  it('serves the default exchange rates and CPI-U with their source', async () => {
    const r = await app.call(key, 'GET', '/v1/exchange-rates?year=2024');
    expect(r.status).toBe(200);
    expect(r.body.exchangeRates.find((x: { currency: string }) => x.currency === 'EUR')).toMatchObject({ year: 2024, usdPerUnit: '1.0822', source: expect.stringContaining('G.5A') });
    expect(r.body.exchangeRates.find((x: { currency: string }) => x.currency === 'JPY').usdPerUnit).toBe('0.006602403274792024296844');
    const cpi = await app.call(key, 'GET', '/v1/price-indices');
    expect(cpi.body.priceIndices.find((x: { year: number }) => x.year === 2022)).toMatchObject({ indexId: 'US-CPI-U', currency: 'USD', value: '292.655' });
  });

  it('lets the operator load a year, and nobody else', async () => {
    const body = { source: 'ECB reference rate, 2025 average', usdPerUnit: { EUR: '1.1300', gbp: '1.3200' } };
    expect((await app.call(key, 'PUT', '/v1/exchange-rates/2025', body)).status).toBe(403);
    const r = await app.call(ADMIN_TOKEN, 'PUT', '/v1/exchange-rates/2025', body);
    expect(r.status).toBe(200);
    expect(r.body.exchangeRates.map((x: { currency: string; usdPerUnit: string }) => `${x.currency}=${x.usdPerUnit}`)).toEqual(['EUR=1.13', 'GBP=1.32']);
    const bad = await app.call(ADMIN_TOKEN, 'PUT', '/v1/exchange-rates/2025', { source: 'x', usdPerUnit: { EURO: '-1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.length).toBeGreaterThan(0);
    const idx = await app.call(ADMIN_TOKEN, 'PUT', '/v1/price-indices/US-CPI-U', { source: 'BLS CPI-U 2025 annual average', currency: 'USD', values: { '2025': '322.0' } });
    expect(idx.body.priceIndices.at(-1)).toMatchObject({ year: 2025, value: '322', source: 'BLS CPI-U 2025 annual average' });
  });

  it('creates a run over several sets with a radiative-forcing option, and refuses unknown sets', async () => {
    const r = await app.call(key, 'POST', `/v1/organisations/${orgId}/calculation-runs`, { period: '2024', factorSetIds: ['owid-ember-grid-2025'], options: { radiativeForcing: 'without' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ factorSetId: 'owid-ember-grid-2025', factorSetIds: ['owid-ember-grid-2025'], options: { radiativeForcing: 'without' } });
    const bad = await app.call(key, 'POST', `/v1/organisations/${orgId}/calculation-runs`, { period: '2024', factorSetIds: ['owid-ember-grid-2025', 'nope'] });
    expect(bad).toMatchObject({ status: 422, body: { type: 'urn:tally:problem:unknown-factor-set' } });
    const none = await app.call(key, 'POST', `/v1/organisations/${orgId}/calculation-runs`, { period: '2024' });
    expect(none.status).toBe(400);
  });

  it('creates an incremental run from a complete run of the same period, and says why it cannot', async () => {
    const post = (k: string, org: string, body: object) => app.call(k, 'POST', `/v1/organisations/${org}/calculation-runs`, { period: '2024', factorSetIds: ['owid-ember-grid-2025'], ...body });
    const noBase = await post(key, orgId, { incrementalFrom: 'latest' });
    expect(noBase).toMatchObject({ status: 422, body: { type: 'urn:tally:problem:invalid-base-run', detail: 'no complete run of 2024-01-01/2024-12-31 to start from' } });
    const queued = await post(key, orgId, {});
    expect((await post(key, orgId, { incrementalFrom: queued.body.id })).body.detail).toBe(`run ${queued.body.id} is queued; only a complete run can be a base`);
    // Marked complete by hand: this test is about the API's checks, the worker's part is tested there.
    await t.db.pg.query(`update calculation_runs set status = 'complete', completed_at = now() where id = $1`, [queued.body.id]);
    const inc = await post(key, orgId, { incrementalFrom: 'latest' });
    expect(inc).toMatchObject({ status: 202, body: { baseRunId: queued.body.id, incremental: null } });
    expect((await post(key, orgId, { period: '2024-01-01/2024-06-30', incrementalFrom: queued.body.id })).body.detail).toBe(`run ${queued.body.id} covers 2024-01-01/2024-12-31, not 2024-01-01/2024-06-30`);
    // Another organisation's run is as unknown as a missing one.
    const other = await seedOrganisation(app, 'Other');
    expect((await post(other.key, other.orgId, { incrementalFrom: queued.body.id })).body.detail).toBe(`run ${queued.body.id} not found`);
    expect((await post(key, orgId, { incrementalFrom: 'yesterday' })).status).toBe(400);
  });
});
