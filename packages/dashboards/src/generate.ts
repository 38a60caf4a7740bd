import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { overviewDashboard } from './overview.ts';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../../grafana/dashboards/', import.meta.url));

export const DASHBOARDS = { 'tally-overview.json': overviewDashboard } as const;

export function render(build: () => unknown): string {
  return JSON.stringify(build(), null, 2) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await mkdir(DASHBOARD_DIR, { recursive: true });
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    await writeFile(`${DASHBOARD_DIR}${file}`, render(build));
    console.log(`wrote grafana/dashboards/${file}`);
  }
}
