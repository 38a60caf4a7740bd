import { isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import { normaliseGas, type GwpSet } from './gases.ts';

const SETS: readonly { id: string; column: string; name: string }[] = [
  { id: 'AR4', column: 'AR4GWP100', name: 'IPCC AR4 GWP-100' },
  { id: 'AR5', column: 'AR5GWP100', name: 'IPCC AR5 GWP-100' },
  { id: 'AR6', column: 'AR6GWP100', name: 'IPCC AR6 GWP-100' },
];

/**
 * Builds the AR4, AR5 and AR6 100-year GWP sets from the openclimatedata table (one row per
 * species; an empty cell means the report gives no value for that gas).
 */
export function parseGwpTable(records: readonly Record<string, string>[], source: string): GwpSet[] {
  return SETS.map(({ id, column, name }) => {
    const values: Record<string, string> = {};
    for (const r of records) {
      const species = r.Species?.trim();
      const v = r[column]?.trim();
      if (!species || !v) continue;
      if (!isDecimalString(v)) throw new CoreError('GWP.BAD_VALUE', `GWP table: ${species} ${column} "${v}" is not a number`, { species, column });
      values[normaliseGas(species)] = v;
    }
    if (Object.keys(values).length === 0) throw new CoreError('GWP.BAD_TABLE', `GWP table has no ${column} values`, { column });
    return { id, name, horizonYears: 100, source: `${source}, column ${column}`, values };
  });
}
