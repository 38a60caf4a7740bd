#!/usr/bin/env node
import { basename } from 'node:path';
import { Command } from 'commander';
import { diffFactorSets } from '@tally/core';
import { createDb, factorsOfSet, findFactor, findFactorSet, listFactorSets, migrate, storeFactorSet } from '@tally/db';
import { desnzMeta, loadDesnzFile } from '@tally/factor-data';
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
  .argument('<source>', 'desnz')
  .argument('<file>', 'the flat file (CSV)')
  .requiredOption('--edition <year>', 'edition / publication year, e.g. 2025')
  .option('--id <id>', 'factor set id (default <source>-<edition>)')
  .action(async (source: string, file: string, opts: { edition: string; id?: string }) => {
    if (source !== 'desnz') throw new Error(`unknown source "${source}": supported: desnz`);
    const year = Number(opts.edition);
    if (!Number.isInteger(year)) throw new Error('--edition must be a year');
    const loaded = await loadDesnzFile(file, desnzMeta(year, opts.id));
    const db = await createDb(await ensureDatabase(log));
    try {
      const r = await storeFactorSet(db.pg, { meta: loaded.meta, fileName: basename(file), checksum: loaded.checksum, factors: loaded.result.factors, skipped: loaded.result.skipped });
      log(`${r.id}: ${r.factorCount} factors${r.created ? ' imported' : ' (this file was already imported)'}; ${loaded.result.skipped.length} rows skipped with reasons`);
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
      for (const s of await listFactorSets(db.pool)) console.log(`${s.id}\t${s.source} ${s.edition}\t${s.factorCount} factors\t${s.licence}\tsha256:${s.checksumSha256.slice(0, 12)}`);
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
