import type { Machine } from './machine.js';
import { describeMachine, loadWarning } from './machine.js';
import type { Row } from './types.js';

export interface Report {
  date: string;
  mode: string;
  machine: Machine;
  seconds: number;
  rows: Row[];
}

const num = (value: number | undefined, unit: string): string => {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
};

const compare = (row: Row): string => {
  if (row.compare === undefined || !Number.isFinite(row.compare)) return '—';
  if (row.compareKind === 'difference') return `${row.compare >= 0 ? '+' : ''}${row.compare.toFixed(2)} ${row.unit}`;
  return `${row.compare.toFixed(2)}×`;
};

const verdict = (row: Row): string => {
  if (row.status !== 'measured') return row.status;
  if (row.pass === undefined) return 'info';
  return row.pass ? 'PASS' : 'FAIL';
};

function cells(rows: Row[]): string[][] {
  return rows.map((r) => [r.figure, r.label, num(r.value, r.unit), num(r.baseline, r.unit), compare(r), r.goal, verdict(r)]);
}

const HEADER = ['figure', 'what', 'value (ours)', 'baseline', 'ratio / diff', 'goal', 'result'];

/** Plain-text table with the notes under it, for the terminal. */
export function textReport(report: Report): string {
  const body = cells(report.rows);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  const notes = report.rows.flatMap((r, i) => (r.note ? [`  [${i + 1}] ${r.figure}: ${r.note}`] : []));
  return [
    `nest-payload-socket benchmarks — ${report.mode} mode — ${report.date} (${Math.round(report.seconds)} s)`,
    `machine: ${describeMachine(report.machine)}`,
    'baselines: P1 the same app with enabled: false; P2 and P4 a raw Socket.IO server; medians unless marked p99',
    ...(loadWarning(report.machine) ? [`WARNING: ${loadWarning(report.machine)}`] : []),
    '',
    line(HEADER),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    'notes:',
    ...notes,
  ].join('\n');
}

export function markdownReport(report: Report, chart?: string): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const rows = cells(report.rows).map((row, i) => `| ${row.map(escape).join(' | ')} | ${escape(report.rows[i].note ?? '')} |`);
  return [
    `# nest-payload-socket benchmarks (${report.mode})`,
    '',
    `${report.date}, ${Math.round(report.seconds)} s. Machine: ${describeMachine(report.machine)}.`,
    '',
    'Baselines measured in the same run: P1 the same app with `enabled: false`; P2 and P4 a raw Socket.IO server',
    '(bare `http` server, no Nest, no Payload). Medians unless marked p99. Reproduce: `npm run bench` (or `npm run bench --quick`).',
    ...(loadWarning(report.machine) ? ['', `**Warning:** ${loadWarning(report.machine)}.`] : []),
    '',
    `| ${[...HEADER, 'notes'].join(' | ')} |`,
    `|${[...HEADER, 'notes'].map(() => '---').join('|')}|`,
    ...rows,
    ...(chart ? ['', `![delivery latency](${chart})`] : []),
    '',
  ].join('\n');
}
