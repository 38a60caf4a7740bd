import type { EmissionFactor, GwpSet } from '@tally/core';
import { copyRows, storeFactorSet, storeGwpSets, type Db } from '@tally/db';
import { storeBundledReference } from '@tally/testing';

/** Two GWP sets restricted to the gases used here, with the published IPCC values. */
export const GWP: GwpSet[] = [
  { id: 'AR5', name: 'IPCC AR5 GWP-100', horizonYears: 100, source: 'IPCC AR5', values: { CH4: '28', N2O: '265' } },
  { id: 'AR6', name: 'IPCC AR6 GWP-100', horizonYears: 100, source: 'IPCC AR6', values: { CH4: '27.9', N2O: '273' } },
];

const factor = (id: string, activityKey: string, unit: string, co2e: string, gases: Record<string, string>, scope: 1 | 2 | 3, category: string): EmissionFactor => ({
  id: `test-2025:${id}`,
  factorSetId: 'test-2025',
  activityKey,
  name: activityKey,
  scope,
  category,
  region: 'GB',
  year: 2025,
  unit,
  co2e,
  gasBasis: 'co2e',
  gwpBasis: 'AR5',
  gases,
  sourceRef: id,
  sourceRows: [{ line: 1, id, ghg: 'kg CO2e', value: co2e }],
});

/** DESNZ 2025 values for diesel (litres) and UK grid electricity (kWh). */
export const FACTORS: EmissionFactor[] = [
  factor('1_101_1011_8', 'diesel', 'litre', '2.57082', { CO2: '2.53763', CH4: '0.00029', N2O: '0.0329' }, 1, '1 Stationary combustion'),
  factor('7_400_4000_5', 'electricity', 'kWh', '0.177', { CO2: '0.17489', CH4: '0.0009', N2O: '0.00122' }, 2, '2 Purchased electricity'),
];

export async function seedReference(db: Db): Promise<void> {
  await storeGwpSets(db.pg, GWP);
  await storeFactorSet(db.pg, {
    meta: { id: 'test-2025', source: 'test', edition: '2025', publicationYear: 2025, licence: 'OGL-3.0', region: 'GB', gwpBasis: 'AR5' },
    fileName: 'test.csv',
    checksum: 'test-checksum',
    factors: FACTORS,
    skipped: [],
  });
}

/** An organisation with two entities (the second 50% owned) and n activities spread over 2024. */
export async function seedActivities(db: Db, n: number, activityType: (i: number) => string = (i) => (i % 3 === 0 ? 'electricity' : 'diesel')): Promise<{ orgId: string; entityIds: string[] }> {
  const org = await db.pg.query<{ id: string }>(`insert into organisations (name) values ('Worker test') returning id`);
  const orgId = org.rows[0]!.id;
  const e1 = await db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'A', 'A', 'legal_entity', 'GB') returning id`, [orgId]);
  const e2 = await db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country, ownership_pct, parent_id) values ($1, 'B', 'B', 'site', 'GB', 50, $2) returning id`, [orgId, e1.rows[0]!.id]);
  const entityIds = [e1.rows[0]!.id, e2.rows[0]!.id];
  const imp = await db.pg.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [orgId]);
  const client = await db.pg.connect();
  try {
    await copyRows(
      client,
      'activities',
      ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'],
      (function* () {
        for (let i = 0; i < n; i++) {
          const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-15`;
          const type = activityType(i);
          yield [orgId, imp.rows[0]!.id, i + 2, entityIds[i % 2]!, day, day, type, `${(i % 97) + 1}.${i % 10}`, type === 'electricity' ? 'kWh' : type === 'diesel' ? 'litre' : 'kg'];
        }
      })(),
    );
  } finally {
    client.release();
  }
  return { orgId, entityIds };
}

/**
 * DESNZ 2025 and the bundled GWP sets, and an organisation with one UK site and one activity whose
 * type names no factor ("natural gas", 1000 kWh gross, January 2025): a row matched by text.
 */
export async function seedTextTypeOrganisation(db: Db, name: string): Promise<{ orgId: string }> {
  await storeBundledReference(db, { factorSets: ['desnz-2025'] });
  const orgId = (await db.pg.query<{ id: string }>(`insert into organisations (name) values ($1) returning id`, [name])).rows[0]!.id;
  const gb = (await db.pg.query<{ id: string }>(`insert into entities (org_id, code, name, kind, country) values ($1, 'GB1', 'UK', 'site', 'GB') returning id`, [orgId])).rows[0]!.id;
  const imp = (await db.pg.query<{ id: string }>(`insert into activity_imports (org_id, format, status) values ($1, 'csv', 'complete') returning id`, [orgId])).rows[0]!.id;
  const client = await db.pg.connect();
  try {
    await copyRows(client, 'activities', ['org_id', 'import_id', 'line_no', 'entity_id', 'period_start', 'period_end', 'activity_type', 'quantity', 'unit'], [[orgId, imp, 2, gb, '2025-01-01', '2025-01-31', 'natural gas', '1000', 'kWh_gross']]);
  } finally {
    client.release();
  }
  return { orgId };
}
