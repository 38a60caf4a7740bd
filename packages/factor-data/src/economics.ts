import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { parseExchangeRates, parsePriceIndex, type EconomicTables } from '@tally/core';
import { DATA_DIR } from './dataDir.ts';

export const FX_SOURCE = 'Federal Reserve Board G.5A, annual average (default shipped with Tally)';
export const CPI_SOURCE = 'US BLS CPI-U, all items, US city average, annual average, 1982-84=100 (CUUR0000SA0)';

const readCsv = async (path: string) => parse(await readFile(path), { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];

/** The default exchange rates and US CPI-U shipped in data/economics (see its SOURCE.md). */
export async function loadBundledEconomics(): Promise<EconomicTables> {
  const dir = `${DATA_DIR}economics/`;
  return {
    exchangeRates: parseExchangeRates(await readCsv(`${dir}exchange-rates-annual.csv`), FX_SOURCE, 'exchange-rates-annual.csv'),
    priceIndices: parsePriceIndex(await readCsv(`${dir}us-cpi-u-annual.csv`), CPI_SOURCE, 'us-cpi-u-annual.csv'),
  };
}

/** An operator's own file: exchange rates (currency, year, rate, quotation) or an index (index, currency, year, value). */
export async function loadEconomicsFile(path: string, source: string): Promise<EconomicTables> {
  const rows = await readCsv(path);
  const name = path.split('/').at(-1) ?? path;
  if (rows.length > 0 && 'rate' in rows[0]!) return { exchangeRates: parseExchangeRates(rows, source, name), priceIndices: [] };
  return { exchangeRates: [], priceIndices: parsePriceIndex(rows, source, name) };
}
