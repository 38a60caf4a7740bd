import { readFile } from 'node:fs/promises';
import { parseExchangeRates, parsePriceIndex, type EconomicTables } from '@tally/core';
import { readCsv } from './csv.ts';
import { DATA_DIR } from './dataDir.ts';

export const FX_SOURCE = 'Federal Reserve Board G.5A, annual average (default shipped with Tally)';
export const CPI_SOURCE = 'US BLS CPI-U, all items, US city average, annual average, 1982-84=100 (CUUR0000SA0)';

// Operators' files are hand-made: trim cells, and a row with too few or too many cells is an error.
const STRICT = { trim: true, relax_column_count: false } as const;

/** The default exchange rates and US CPI-U shipped in data/economics (see its SOURCE.md). */
export async function loadBundledEconomics(): Promise<EconomicTables> {
  const dir = `${DATA_DIR}economics/`;
  return {
    exchangeRates: parseExchangeRates(readCsv(await readFile(`${dir}exchange-rates-annual.csv`), STRICT), FX_SOURCE, 'exchange-rates-annual.csv'),
    priceIndices: parsePriceIndex(readCsv(await readFile(`${dir}us-cpi-u-annual.csv`), STRICT), CPI_SOURCE, 'us-cpi-u-annual.csv'),
  };
}

/** An operator's own file: exchange rates (currency, year, rate, quotation) or an index (index, currency, year, value). */
export async function loadEconomicsFile(path: string, source: string): Promise<EconomicTables> {
  const rows = readCsv(await readFile(path), STRICT);
  const name = path.split('/').at(-1) ?? path;
  if (rows.length > 0 && 'rate' in rows[0]!) return { exchangeRates: parseExchangeRates(rows, source, name), priceIndices: [] };
  return { exchangeRates: [], priceIndices: parsePriceIndex(rows, source, name) };
}
