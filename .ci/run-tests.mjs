#!/usr/bin/env node
// The test command (`pnpm test`): typecheck, lint and every package's vitest run through turbo,
// against one PostgreSQL (DATABASE_URL, or a throwaway cluster started here), then the closing
// line "N passed, N failed, N skipped" summed from each package's vitest JSON report.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const roots = ['apps', 'packages'];
const results = roots.flatMap((r) => (existsSync(r) ? readdirSync(r).map((d) => join(r, d, '.vitest-result.json')) : []));
for (const f of results) rmSync(f, { force: true });

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let pgDir;
if (!process.env.DATABASE_URL) {
  pgDir = mkdtempSync(join(tmpdir(), 'tally-test-pg-'));
  const out = execFileSync('bash', ['packages/testing/scripts/pg-up.sh', pgDir, String(await freePort())], { encoding: 'utf8' });
  process.env.DATABASE_URL = /DATABASE_URL=(\S+)/.exec(out)[1];
}
const stopPg = () => {
  if (pgDir) {
    try {
      execFileSync('bash', ['packages/testing/scripts/pg-down.sh', pgDir, '--rm']);
    } catch {
      /* already stopped */
    }
    pgDir = undefined;
  }
};
process.on('exit', stopPg);

const tasks = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['typecheck', 'lint', 'test'];
const code = await new Promise((resolve) => {
  const child = spawn('pnpm', ['exec', 'turbo', 'run', ...tasks, '--continue', '--output-logs=errors-only', '--concurrency=2'], { stdio: 'inherit', env: process.env });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
stopPg();

let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;
for (const f of results) {
  if (!existsSync(f)) continue;
  reports++;
  const r = JSON.parse(readFileSync(f, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
if (code !== 0) console.error(`turbo exited ${code} (a typecheck, lint or test task failed; see above)`);
if (reports === 0) console.error('no vitest report was written');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code !== 0 || failed > 0 || reports === 0 ? 1 : 0);
