import { storeEconomics, storeFactorSet, storeGwpSets, type Db } from '@tally/db';
import { loadBundledEconomics, loadBundledFactorSet, loadBundledGwpSets } from '@tally/factor-data';

/**
 * Stores the shipped reference data a test needs: the GWP sets (which factor sets refer to), the
 * spend-conversion tables when asked (exchange rates and price indices), and the named bundled
 * factor sets, in that order. Idempotent, as the stores are.
 */
export async function storeBundledReference(db: Db, options: { factorSets?: readonly string[]; economics?: boolean } = {}): Promise<void> {
  await storeGwpSets(db.pg, await loadBundledGwpSets());
  if (options.economics) await storeEconomics(db.pg, await loadBundledEconomics());
  for (const id of options.factorSets ?? []) {
    const l = await loadBundledFactorSet(id);
    await storeFactorSet(db.pg, { meta: l.meta, fileName: l.fileName, checksum: l.checksum, factors: l.result.factors, skipped: l.result.skipped });
  }
}
