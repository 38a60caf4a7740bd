import { BUNDLED_FACTOR_SETS, loadBundledEconomics, loadBundledFactorSet, loadBundledGwpSets } from '@tally/factor-data';
import { storeEconomics, storeFactorSet, storeGwpSets, type Db } from '@tally/db';

/** Loads the bundled GWP sets, spend-conversion tables and factor sets; idempotent (by checksum). */
export async function loadReferenceData(db: Db, log: (s: string) => void): Promise<void> {
  const gwp = await loadBundledGwpSets();
  await storeGwpSets(db.pg, gwp);
  log(`GWP sets: ${gwp.map((g) => g.id).join(', ')}`);
  const economics = await storeEconomics(db.pg, await loadBundledEconomics());
  log(`spend conversion: ${economics.exchangeRates} exchange rates, ${economics.priceIndices} price-index values (defaults)`);
  for (const d of BUNDLED_FACTOR_SETS) {
    const loaded = await loadBundledFactorSet(d.meta.id);
    const stored = await storeFactorSet(db.pg, { meta: loaded.meta, fileName: loaded.fileName, checksum: loaded.checksum, factors: loaded.result.factors, skipped: loaded.result.skipped });
    log(`factor set ${stored.id}: ${stored.factorCount} factors${stored.created ? ' imported' : stored.added ? ` (${stored.added} added; none of its factors changed)` : ' (already loaded)'}`);
  }
}
