import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  os: string;
  node: string;
  versions: Record<string, string>;
  fdLimit: number;
  /** 1-minute load average when the run started and ended: other work on the machine makes figures noisy. */
  load: { start: number; end?: number };
}

const version = (name: string): string => {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
};

export function machine(fdLimit: number): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    os: `${osType()} ${release()}`,
    node: process.version,
    versions: Object.fromEntries(['payload', '@nestjs/core', 'socket.io', 'socket.io-client', '@payloadcms/db-sqlite'].map((n) => [n, version(n)])),
    fdLimit,
    load: { start: loadavg()[0] },
  };
}

export const describeMachine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, ${m.os}, Node ${m.node}; ` +
  Object.entries(m.versions).map(([n, v]) => `${n} ${v}`).join(', ');

export const currentLoad = (): number => loadavg()[0];

/** A warning when the machine was busy with other work during the run, else undefined. */
export function loadWarning(m: Machine): string | undefined {
  const worst = Math.max(m.load.start, m.load.end ?? 0);
  if (worst < m.cores * 0.5) return undefined;
  return `load average ${m.load.start.toFixed(1)} at start, ${(m.load.end ?? NaN).toFixed(1)} at end on ${m.cores} cores: other processes shared the CPU, figures are noisy; re-run on a quiet machine`;
}
