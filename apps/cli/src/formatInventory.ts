import { Big } from '@tally/core';
import type { Inventory, MethodTotals } from '@tally/db';

export type InventoryResponse = Inventory & {
  source: 'postgres' | 'clickhouse';
  run: { id: string; factorSetId: string; factorSetIds?: string[]; gwpSetId: string };
  methods?: MethodTotals;
  period: { start: string; end: string };
};

/** tonnes, 3 decimals, for people; the API keeps kg at full precision. */
const t = (kg: string) => new Big(kg).div(1000).toFixed(3).padStart(14);

export function formatInventory(orgName: string, inv: InventoryResponse): string {
  const lines = [
    `GHG inventory: ${orgName}, ${inv.period.start} to ${inv.period.end}`,
    `run ${inv.run.id} | factors ${(inv.run.factorSetIds ?? [inv.run.factorSetId]).join(' > ')} | GWP ${inv.run.gwpSetId} | ${inv.consolidationApproach.replace('_', ' ')} | read from ${inv.source}`,
    '',
    'scope  category                                          t CO2e',
  ];
  for (const c of inv.byScopeCategory) lines.push(`${String(c.scope ?? '-').padEnd(6)} ${c.category.padEnd(44)}${t(c.co2eKg)}`);
  lines.push('');
  for (const s of inv.byScope) lines.push(`Scope ${s.scope ?? '-'} total${' '.repeat(39)}${t(s.co2eKg)}`);
  lines.push(`Total${' '.repeat(47)}${t(inv.totals.co2eKg)}`);
  lines.push('', 'by gas (mass, t): ' + inv.byGas.map((g) => `${g.gas} ${tonnes(g.kg)}`).join(', '));
  lines.push(`activities: ${inv.totals.activities} (${inv.totals.calculated} calculated, ${inv.totals.unmatched} unmatched, ${inv.totals.failed} failed)`);
  for (const u of inv.unmatched) lines.push(`  unmatched: ${u.activities} × ${u.reason}`);
  const air = inv.methods?.airTravel;
  if (air) lines.push(`air travel (${air.activities} activities) counted ${air.radiativeForcing} radiative forcing: ${t(air.withRfCo2eKg).trim()} t with RF, ${t(air.withoutRfCo2eKg).trim()} t without`);
  return lines.join('\n');
}

/** A gas mass in tonnes to 4 places; a mass above zero that rounds to nothing (the HFCs of spend factors) says so rather than 0.0000. */
function tonnes(kg: string): string {
  const t = new Big(kg).div(1000);
  return t.gt(0) && t.lt('0.00005') ? '<0.0001' : t.toFixed(4);
}
