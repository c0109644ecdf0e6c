import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flood } from './figures/flood.js';
import { p1 } from './figures/p1.js';
import { p2 } from './figures/p2.js';
import { p3 } from './figures/p3.js';
import { p4 } from './figures/p4.js';
import { p5 } from './figures/p5.js';
import { soak } from './figures/soak.js';
import { latencyChart } from './lib/chart.js';
import { createContext, parseFlags, soakLength, type BenchContext } from './lib/context.js';
import { currentLoad, machine } from './lib/machine.js';
import { markdownReport, textReport, type Report } from './lib/report.js';
import { childFdLimit, closeAll } from './lib/spawn.js';
import type { FigureResult, LatencyPoint, Row } from './lib/types.js';

/**
 * `npm run bench [--quick] [--soak-minutes=N] [--only=p1,p2] [--profile]`: every figure against its baseline
 * measured in this run, printed as a table and written to bench/results/latest.{json,md} (+ latency.svg).
 */
const FIGURES: [string, (ctx: BenchContext) => Promise<FigureResult>][] = [
  ['p1', p1],
  ['p2', p2],
  ['p3', p3],
  ['p4', p4],
  ['p5', p5],
  ['flood', flood],
  ['soak', soak],
];

const started = performance.now();
const resultsDir = join(process.cwd(), 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const fdLimit = childFdLimit();
const ctx = createContext(parseFlags(process.argv.slice(2), process.env), resultsDir, fdLimit);
const facts = machine(fdLimit);
console.error(`bench: ${ctx.quick ? 'quick' : 'full'} mode, soak ${soakLength(ctx.soakMinutes)}, descriptor limit ${fdLimit} per process, logs in ${ctx.logsDir}`);

const rows: Row[] = [];
const details: Record<string, unknown> = {};
const latency: LatencyPoint[] = [];
for (const [id, figure] of FIGURES) {
  if (ctx.only.length && !ctx.only.includes(id)) continue;
  const t = performance.now();
  try {
    const result = await figure(ctx);
    rows.push(...result.rows);
    details[id] = result.details;
    latency.push(...(result.latency ?? []));
  } catch (error) {
    console.error(error);
    rows.push({ figure: id.toUpperCase(), label: 'run failed', unit: '', goal: '', status: 'failed', note: String((error as Error)?.message ?? error).split('\n')[0] });
  }
  await closeAll();
  console.error(`  ${id} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

facts.load.end = currentLoad();
const report: Report = {
  date: new Date().toISOString(),
  mode: ctx.quick ? 'quick' : 'full',
  machine: facts,
  seconds: (performance.now() - started) / 1000,
  rows,
};
let chart: string | undefined;
if (latency.length) {
  chart = 'latest-latency.svg';
  writeFileSync(join(resultsDir, chart), latencyChart(latency, 'public emit: commit → receipt, ours (solid) vs raw Socket.IO (dashed)'));
}
writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ ...report, details, latency }, null, 2));
writeFileSync(join(resultsDir, 'latest.md'), markdownReport(report, chart));
rmSync(ctx.tmp, { recursive: true, force: true });
console.log(textReport(report));
console.log(`\nwritten: bench/results/latest.json, latest.md${chart ? `, ${chart}` : ''}`);
