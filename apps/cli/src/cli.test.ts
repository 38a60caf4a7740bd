import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DATA_DIR } from '@tally/factor-data';
import { useTestDatabase } from '@tally/testing/fixtures';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('tally CLI (against a real database)', () => {
  const t = useTestDatabase();
  const tally = (...args: string[]) => run(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: t.url } });

  it('imports a published file once, by checksum, and refuses the same file under another id', async () => {
    const file = `${DATA_DIR}desnz/ghg-conversion-factors-2023-flat.csv`;
    const first = await tally('factors', 'import', 'desnz', file, '--edition', '2023');
    expect(first.stderr).toContain('desnz-2023: 2643 factors imported; 1561 rows skipped with reasons');
    const again = await tally('factors', 'import', 'desnz', file, '--edition', '2023');
    expect(again.stderr).toContain('desnz-2023: 2643 factors (this file was already imported)');
    await expect(tally('factors', 'import', 'desnz', file, '--edition', '2023', '--id', 'copy')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('already imported as factor set desnz-2023') });
    const list = await tally('factors', 'list');
    expect(list.stdout).toMatch(/^desnz-2023\tDESNZ\/Defra GHG conversion factors 2023\t2643 factors\tOGL-3.0\tsha256:[0-9a-f]{12}$/m);
  });

  it('imports the other sources and diffs two editions', async () => {
    const hub = await tally('factors', 'import', 'epa-hub', `${DATA_DIR}epa-hub`, '--edition', '2025');
    expect(hub.stderr).toContain('epa-hub-2025: 636 factors imported'); // Tables 1-10 (biomass CO2 apart), 32 gases and 30 blends of Tables 11 and 12
    await tally('factors', 'import', 'desnz', `${DATA_DIR}desnz/ghg-conversion-factors-2024-flat.csv`, '--edition', '2024');
    const diff = await tally('factors', 'diff', 'desnz-2023', 'desnz-2024', '--top', '3');
    expect(diff.stdout).toMatch(/^desnz-2023 -> desnz-2024: \d+ appeared, \d+ disappeared, \d+ changed, \d+ unchanged$/m);
    await expect(tally('factors', 'import', 'nonsense', 'x', '--edition', '1')).rejects.toMatchObject({ stderr: expect.stringContaining('unknown source "nonsense"') });
  });
});
