import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, DASHBOARDS, render } from './generate.ts';

const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

/** Grafana variables promtool cannot parse, replaced by what Grafana would send. */
const substitute = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h');

describe('grafana dashboards', () => {
  for (const [file, build] of Object.entries(DASHBOARDS)) {
    it(`${file} is committed as generated (run pnpm --filter @tally/dashboards generate)`, () => {
      expect(readFileSync(join(DASHBOARD_DIR, file), 'utf8')).toBe(render(build));
    });

    it.skipIf(!promtool)(`${file}: every PromQL expression parses (promtool check rules)`, () => {
      const dashboard = build() as { panels?: { targets?: { expr?: string }[] }[] };
      const exprs = (dashboard.panels ?? []).flatMap((p) => p.targets ?? []).map((t) => t.expr).filter((e): e is string => !!e);
      expect(exprs.length).toBeGreaterThan(10);
      const rules = ['groups:', '  - name: dashboard', '    rules:', ...exprs.flatMap((e, i) => [`      - record: dashboard:expr:${i}`, `        expr: ${JSON.stringify(substitute(e))}`])].join('\n');
      const dir = mkdtempSync(join(tmpdir(), 'tally-dash-'));
      writeFileSync(join(dir, 'rules.yml'), rules + '\n');
      const out = execFileSync(promtool!, ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
      expect(out).toContain(`SUCCESS: ${exprs.length} rules found`);
    });
  }
});
