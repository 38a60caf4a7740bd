import { Big, isDecimalString } from '../decimal.ts';
import { CoreError } from '../errors.ts';
import { normaliseGas } from '../gwp/gases.ts';
import type { EmissionFactor, FactorSetMeta, SourceRow } from './emissionFactor.ts';

/**
 * US EPA Supply Chain GHG Emission Factors (USEEIO), by 2017 NAICS-6. Each code gives two factors:
 * with margins (purchaser price: cradle to the point of sale, for spend as invoiced) and without
 * (producer price: cradle to the factory gate). The optional by-gas file adds the kg of each gas
 * per USD, so CO2e can be recomputed under another GWP set.
 */
export interface EpaSupplyChainInput {
  meta: FactorSetMeta;
  /** Base year of the dollars ("kg CO2e/2022 USD"). */
  currencyYear: number;
  co2e: Record<string, string>[];
  byGas?: Record<string, string>[];
}

const KEYS = { purchaser: 'Supply Chain Emission Factors with Margins', producer: 'Supply Chain Emission Factors without Margins' } as const;

export const naicsKey = (code: string, price: 'purchaser' | 'producer') => `naics-2017/${code}/${price}-price`;

function num(raw: string | undefined, where: string): string {
  const v = (raw ?? '').trim();
  if (!isDecimalString(v)) throw new CoreError('FACTORS.BAD_VALUE', `${where}: "${raw}" is not a number`, { where });
  return new Big(v).toFixed();
}

export function parseEpaSupplyChain(input: EpaSupplyChainInput): EmissionFactor[] {
  const { meta } = input;
  const gasesByCode = new Map<string, { purchaser: Record<string, string>; producer: Record<string, string>; rows: SourceRow[] }>();
  input.byGas?.forEach((r, i) => {
    const code = (r['2017 NAICS Code'] ?? '').trim();
    const line = i + 2;
    const gas = normaliseGas(r.GHG ?? '');
    const unit = (r.Unit ?? '').trim();
    if (!new RegExp(`^kg( CO2e)?/${input.currencyYear} USD, purchaser price$`).test(unit)) {
      throw new CoreError('FACTORS.BAD_UNIT', `by-gas line ${line}: unit "${unit}" is not kg per ${input.currencyYear} USD`, { line });
    }
    let g = gasesByCode.get(code);
    if (!g) gasesByCode.set(code, (g = { purchaser: {}, producer: {}, rows: [] }));
    g.purchaser[gas] = num(r[KEYS.purchaser], `by-gas line ${line}`);
    g.producer[gas] = num(r[KEYS.producer], `by-gas line ${line}`);
    g.rows.push({ line, id: `${code}:${gas}`, ghg: r.GHG ?? '', value: (r[KEYS.purchaser] ?? '').trim() });
  });

  const factors: EmissionFactor[] = [];
  input.co2e.forEach((r, i) => {
    const line = i + 2;
    const code = (r['2017 NAICS Code'] ?? '').trim();
    if (!/^\d{6}$/.test(code)) throw new CoreError('FACTORS.BAD_CODE', `line ${line}: "${code}" is not a 6-digit NAICS code`, { line });
    const unit = (r.Unit ?? '').trim();
    if (unit !== `kg CO2e/${input.currencyYear} USD, purchaser price`) {
      throw new CoreError('FACTORS.BAD_UNIT', `line ${line}: unit "${unit}" is not kg CO2e per ${input.currencyYear} USD`, { line });
    }
    const title = (r['2017 NAICS Title'] ?? '').trim();
    const g = gasesByCode.get(code);
    for (const price of ['purchaser', 'producer'] as const) {
      const value = num(r[KEYS[price]], `line ${line}`);
      const gases = g?.[price] ?? {};
      factors.push({
        id: `${meta.id}:${code}:${price}`,
        factorSetId: meta.id,
        activityKey: naicsKey(code, price),
        name: `${title} (NAICS ${code}, ${price} price)`,
        scope: 3,
        category: '3.1 Purchased goods and services',
        region: meta.region,
        year: meta.publicationYear,
        unit: 'USD',
        co2e: value,
        gasBasis: Object.keys(gases).length > 0 ? 'mass' : 'co2e',
        gwpBasis: meta.gwpBasis,
        gases,
        priceBasis: { currency: 'USD', year: input.currencyYear, price },
        sourceRef: `${code} (USEEIO ${(r['Reference USEEIO Code'] ?? '').trim()})`,
        sourceRows: [{ line, id: code, ghg: r.GHG ?? 'All GHGs', value: (r[KEYS[price]] ?? '').trim() }, ...(price === 'purchaser' ? g?.rows ?? [] : [])],
      });
    }
  });
  if (input.byGas && gasesByCode.size !== input.co2e.length) {
    throw new CoreError('FACTORS.MISMATCH', `by-gas file covers ${gasesByCode.size} codes, the CO2e file ${input.co2e.length}`);
  }
  return factors;
}
