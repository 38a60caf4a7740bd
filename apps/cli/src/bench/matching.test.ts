import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL('./matching.ts', import.meta.url));

describe('pnpm bench:matching on a file it has never seen', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tally-bench-matching-'));
    file = join(dir, 'unseen.csv');
    // no factor column; line 4 has a code that is no NAICS-6
    await writeFile(file, 'COMMODITY_DESCRIPTION,naics_code_final\nPVC PIPE SCH 40,326122\nHAMMER CLAW 16 OZ,332216\nWIDGETS,3322\nGIFT CARDS,-2\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores what it can, lists what it cannot with file, line and column, and ends with one JSON object', async () => {
    const { stdout, stderr } = await run(process.execPath, [BENCH, '--file', file, '--json', '--fit-confidence'], { maxBuffer: 1 << 24 });
    expect(stderr).toContain(`${file}, line 4, column naics_code_final: "3322" is neither a 6-digit NAICS code nor -1, -2, -3`);
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines.at(-1)!) as Record<string, number>;
    expect(Object.keys(result).slice(0, 8)).toEqual(['items', 'top1', 'top5', 'noMatchAccuracy', 'autoCoverage', 'autoPrecision', 'factorMae', 'matchesPerSecond']);
    expect(result).toMatchObject({ items: 3, positives: 2, negatives: 1, rowsLeftOut: 1, codePrior: 'shipped', examples: 'shipped' });
    expect(result.top1).toBeGreaterThan(0);
    // the labels' factors come from EPA v1.2, as the file gives none
    expect(result.factorMaeItems).toBeGreaterThan(0);
    expect(stdout).toMatch(/^confidence model fitted on \d+ text matches/m);
  }, 60_000);

  it('cross-fits the prior and the examples over N hash folds of the file with --folds', async () => {
    const args = [BENCH, '--file', file, '--code-prior', 'cross', '--examples', 'cross', '--folds', '3'];
    expect((await run(process.execPath, args, { maxBuffer: 1 << 24 })).stdout).toContain("labelled lines as examples: each item matched with the other 2 of 3 hash folds'");
    const { stdout } = await run(process.execPath, [...args, '--json'], { maxBuffer: 1 << 24 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ items: 3, folds: 3, codePrior: 'cross', examples: 'cross' });
    await expect(run(process.execPath, [BENCH, '--file', file, '--folds', '1'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--folds: "1" is not a whole number >= 2') });
  }, 60_000);

  it('stops at the first row it cannot score with --strict', async () => {
    await expect(run(process.execPath, [BENCH, '--file', file, '--strict'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`${file}, line 4, column naics_code_final`) });
  }, 60_000);
});
