#!/usr/bin/env node
import { Command } from 'commander';
import { diffFactorSets } from '@tally/core';
import { createDb, factorsOfSet, findFactor, findFactorSet, listFactorSets, migrate, storeEconomics, storeFactorSet, storeGwpSets } from '@tally/db';
import { desnzMeta, loadDesnzFile, loadEpaHub, loadEpaSupplyChain, loadBundledGwpSets, loadEconomicsFile, loadGridIntensity, sourceMeta } from '@tally/factor-data';
import { demo } from './demo.ts';
import { ensureDatabase } from './localPostgres.ts';
import { loadReferenceData } from './referenceData.ts';

if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`tally: Node ${process.versions.node} is too old: Tally needs Node 24. Run it through pnpm (pnpm demo, pnpm tally …), which uses the Node 24 installed as a dev dependency.`);
  process.exit(1);
}

const program = new Command('tally').description('Tally: corporate carbon footprints under the GHG Protocol');
const log = (s: string) => console.error(`• ${s}`);

program
  .command('migrate')
  .description('apply database migrations (ours and graphile-worker\'s)')
  .action(async () => {
    const url = await ensureDatabase(log);
    const r = await migrate(url);
    log(`${r.applied.length} applied (${r.applied.join(', ') || 'none'}), ${r.alreadyApplied} already in place`);
  });

const factors = program.command('factors').description('the emission factor library');
factors
  .command('load-bundled')
  .description('load the GWP sets and factor sets shipped in the repository')
  .action(async () => {
    const db = await createDb(await ensureDatabase(log));
    try {
      await loadReferenceData(db, log);
    } finally {
      await db.close();
    }
  });
factors
  .command('import')
  .description('import a published factor file as a new, immutable factor set (idempotent by checksum)')
  .argument('<source>', 'desnz | epa-supply-chain | epa-hub | grid-owid')
  .argument('<path>', 'the file (a directory of table CSVs for epa-hub)')
  .requiredOption('--edition <edition>', 'edition, e.g. 2025 or v1.3.0')
  .option('--id <id>', 'factor set id (default <source>-<edition>)')
  .option('--year <year>', 'publication year (default: the edition when it is a year)')
  .option('--by-gas <file>', 'epa-supply-chain: the by-gas file of the same edition')
  .option('--currency-year <year>', 'epa-supply-chain: base year of the dollars (e.g. 2022)')
  .option('--gwp-basis <set>', 'GWP set the source used (default: the source\'s own)')
  .action(async (source: string, path: string, opts: { edition: string; id?: string; year?: string; byGas?: string; currencyYear?: string; gwpBasis?: string }) => {
    const year = Number(opts.year ?? opts.edition);
    if (!Number.isInteger(year)) throw new Error('--year is needed when --edition is not a year');
    let loaded;
    switch (source) {
      case 'desnz':
        loaded = await loadDesnzFile(path, { ...desnzMeta(year, opts.id), ...(opts.gwpBasis ? { gwpBasis: opts.gwpBasis } : {}) });
        break;
      case 'epa-supply-chain': {
        const currencyYear = Number(opts.currencyYear);
        if (!Number.isInteger(currencyYear)) throw new Error('--currency-year is required for epa-supply-chain');
        const meta = { ...sourceMeta('epa-supply-chain'), id: opts.id ?? `epa-sc-${opts.edition}`, edition: opts.edition, publicationYear: year, gwpBasis: opts.gwpBasis ?? 'AR5' };
        loaded = await loadEpaSupplyChain({ kind: 'epa-supply-chain', meta, currencyYear, co2eFile: path, ...(opts.byGas ? { byGasFile: opts.byGas } : {}) });
        break;
      }
      case 'epa-hub': {
        const meta = { ...sourceMeta('epa-hub'), id: opts.id ?? `epa-hub-${opts.edition}`, edition: opts.edition, publicationYear: year, gwpBasis: opts.gwpBasis ?? 'AR5' };
        loaded = await loadEpaHub({ kind: 'epa-hub', meta, dir: path.endsWith('/') ? path : `${path}/` });
        break;
      }
      case 'grid-owid': {
        const meta = { ...sourceMeta('grid-intensity'), id: opts.id ?? `owid-ember-grid-${opts.edition}`, edition: opts.edition, publicationYear: year, gwpBasis: opts.gwpBasis ?? 'AR5' };
        loaded = await loadGridIntensity({ kind: 'grid-intensity', meta, file: path });
        break;
      }
      default:
        throw new Error(`unknown source "${source}": desnz, epa-supply-chain, epa-hub or grid-owid`);
    }
    const db = await createDb(await ensureDatabase(log));
    try {
      // Factors name their GWP basis: the IPCC sets must be in place first (idempotent).
      await storeGwpSets(db.pg, await loadBundledGwpSets());
      const r = await storeFactorSet(db.pg, { meta: loaded.meta, fileName: loaded.fileName, checksum: loaded.checksum, factors: loaded.result.factors, skipped: loaded.result.skipped });
      log(`${r.id}: ${r.factorCount} factors${r.created ? ' imported' : r.added ? ` (${r.added} added to the set already imported, none of its factors changed)` : ' (this file was already imported)'}; ${loaded.result.skipped.length} rows skipped with reasons`);
    } finally {
      await db.close();
    }
  });
factors
  .command('list')
  .description('list the factor sets')
  .action(async () => {
    const db = await createDb(await ensureDatabase(log));
    try {
      // An operator tool: no viewer organisation, so every organisation's own sets are listed too.
      for (const s of await listFactorSets(db.pool)) {
        const owner = s.orgId ? ` (organisation ${s.orgId}, series ${s.series}${s.retiredAt ? `, retired ${s.retiredAt}` : ''})` : '';
        console.log(`${s.id}\t${s.source} ${s.edition}${owner}\t${s.factorCount} factors\t${s.licence}\tsha256:${s.checksumSha256.slice(0, 12)}`);
      }
    } finally {
      await db.close();
    }
  });

factors
  .command('show')
  .description('show a factor set (or, with a factor id such as desnz-2025:7_400_4000_5, one factor)')
  .argument('<id>')
  .action(async (id: string) => {
    const db = await createDb(await ensureDatabase(log));
    try {
      // No viewer organisation: the operator reads published and organisation sets alike.
      const out = id.includes(':') ? await findFactor(db.pool, id) : await findFactorSet(db.pool, id);
      if (!out) throw new Error(`no factor set or factor "${id}"`);
      console.log(JSON.stringify(out, null, 2));
    } finally {
      await db.close();
    }
  });
factors
  .command('diff')
  .description('what changed between two editions: appeared, disappeared, changed (largest moves first)')
  .argument('<from>')
  .argument('<to>')
  .option('--json', 'print the whole diff as JSON')
  .option('--top <n>', 'changes to list', '20')
  .action(async (from: string, to: string, opts: { json?: boolean; top: string }) => {
    const db = await createDb(await ensureDatabase(log));
    try {
      for (const id of [from, to]) if (!(await findFactorSet(db.pool, id))) throw new Error(`no factor set "${id}"`);
      const d = diffFactorSets(from, await factorsOfSet(db.pool, from), to, await factorsOfSet(db.pool, to));
      if (opts.json) {
        console.log(JSON.stringify(d, null, 2));
        return;
      }
      console.log(`${from} -> ${to}: ${d.appeared.length} appeared, ${d.disappeared.length} disappeared, ${d.changed.length} changed, ${d.unchanged} unchanged`);
      for (const c of d.changed.slice(0, Number(opts.top))) {
        const pct = c.relative === null ? 'n/a' : `${(Number(c.relative) * 100).toFixed(1)}%`;
        console.log(`  ${pct.padStart(8)}  ${c.fromCo2e ?? '-'} -> ${c.co2e ?? '-'} kg CO2e/${c.unit}  ${c.activityKey}`);
      }
    } finally {
      await db.close();
    }
  });

program
  .command('economics')
  .description('exchange rates and price indices for spend-based factors')
  .command('load')
  .description('load (or correct) exchange rates or a price index from a CSV: currency,year,rate,quotation or index,currency,year,value')
  .argument('<file>')
  .requiredOption('--source <text>', 'where the figures come from (kept on every result that uses them)')
  .action(async (file: string, opts: { source: string }) => {
    const tables = await loadEconomicsFile(file, opts.source);
    const db = await createDb(await ensureDatabase(log));
    try {
      const n = await storeEconomics(db.pg, tables);
      log(`${n.exchangeRates} exchange rates, ${n.priceIndices} price-index values loaded from ${file}`);
    } finally {
      await db.close();
    }
  });

program
  .command('demo')
  .description('run the whole path on the local default and leave the admin API and worker running')
  .option('--exit', 'stop after printing the inventory')
  .option('--port <port>', 'admin API port', '8080')
  .action(async (opts: { exit?: boolean; port: string }) => {
    await demo({ exit: opts.exit ?? false, port: Number(opts.port) });
  });

program.parseAsync().catch((e: unknown) => {
  console.error(`tally: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
