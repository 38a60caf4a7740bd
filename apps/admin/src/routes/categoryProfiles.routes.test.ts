import { planRun } from '@tally/db';
import { storeBundledReference } from '@tally/testing';
import { useTestDatabase } from '@tally/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganisation, startTestApp, type TestApp } from '../test/testApp.ts';

describe("a run's category profiles through the API", () => {
  const t = useTestDatabase();
  let app: TestApp;
  let a: { orgId: string; key: string };
  let b: { orgId: string; key: string };
  beforeAll(async () => {
    await storeBundledReference(t.db, { factorSets: ['owid-ember-grid-2025'] });
    app = await startTestApp(t.db);
    a = await seedOrganisation(app, 'Buyer');
    b = await seedOrganisation(app, 'Other buyer');
    const site = (await t.db.pg.query<{ id: string }>(`select id from entities where org_id = $1 and code = 'SITE-1'`, [a.orgId])).rows[0]!.id;
    const imp = (await t.db.pg.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [a.orgId])).rows[0]!.id;
    const lines: [string | null, string][] = [
      ['65933', 'COUPLING PVC SCH 40 2 IN'],
      ['65933', 'ELBOW PVC 90 DEG 1 IN'],
      ['65933', 'ELBOW PVC 90 DEG 1 IN'],
      ['28580', 'CORD EXTENSION 25 FT'],
      [null, 'LUNCH MEETING'],
    ];
    for (const [i, [category, description]] of lines.entries()) {
      await t.db.pg.query(
        `insert into activities (org_id, import_id, line_no, entity_id, period_start, period_end, activity_type, quantity, unit, description, category)
         values ($1, $2, $3, $4, '2024-05-01', '2024-05-31', 'spend', '100', 'USD', $5, $6)`,
        [a.orgId, imp, i + 2, site, description, category],
      );
    }
  });
  afterAll(() => app.stop());

  it('lists what the matcher read of each category with two or more distinct lines; other organisations get 404', async () => {
    const created = await app.call(a.key, 'POST', `/v1/organisations/${a.orgId}/calculation-runs`, { period: '2024', factorSetIds: ['owid-ember-grid-2025'] });
    expect(created.status).toBe(202);
    const before = await app.call(a.key, 'GET', `/v1/calculation-runs/${created.body.id}/category-profiles`);
    expect(before).toMatchObject({ status: 200, body: { categoryProfiles: [] } });
    // Planning (the worker's first step) takes the snapshot.
    expect((await planRun(t.db.pg, created.body.id)).status).toBe('planned');
    const r = await app.call(a.key, 'GET', `/v1/calculation-runs/${created.body.id}/category-profiles`);
    expect(r.status).toBe(200);
    expect(r.body.categoryProfiles).toHaveLength(1);
    expect(r.body.categoryProfiles[0]).toMatchObject({ category: '65933', descriptions: 2, digest: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(r.body.categoryProfiles[0].terms).toEqual(expect.arrayContaining([{ term: 'pvc', count: 2 }, { term: 'elbow', count: 1 }]));
    expect((await app.call(b.key, 'GET', `/v1/calculation-runs/${created.body.id}/category-profiles`)).status).toBe(404);
  });
});
