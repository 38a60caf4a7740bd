import { CoreError } from './errors.ts';

export interface Period {
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const isDate = (s: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
};

/**
 * A reporting period: "2024" (calendar year), "2024-Q2", "2024-03", or "2024-04-01/2025-03-31"
 * (a fiscal year or any closed range). Both ends are inclusive.
 */
export function parsePeriod(text: string): Period {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(s))) return { start: `${m[1]}-01-01`, end: `${m[1]}-12-31` };
  if ((m = /^(\d{4})-Q([1-4])$/i.exec(s))) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    const endMonth = q * 3;
    return { start: `${y}-${pad(endMonth - 2)}-01`, end: `${y}-${pad(endMonth)}-${pad(lastDay(y, endMonth))}` };
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo >= 1 && mo <= 12) return { start: `${y}-${pad(mo)}-01`, end: `${y}-${pad(mo)}-${pad(lastDay(y, mo))}` };
  }
  if ((m = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(s)) && m[1] && m[2] && isDate(m[1]) && isDate(m[2])) {
    if (m[2] < m[1]) throw new CoreError('PERIOD.INVALID', `period "${text}" ends before it starts`, { period: text });
    return { start: m[1], end: m[2] };
  }
  throw new CoreError('PERIOD.INVALID', `period "${text}" is not YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD/YYYY-MM-DD`, { period: text });
}

export function formatPeriod(p: Period): string {
  return `${p.start}/${p.end}`;
}
