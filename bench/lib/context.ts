import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What every figure gets: the run's mode and where to put logs, databases and profiles. */
export interface BenchContext {
  quick: boolean;
  soakMinutes: number;
  /** Start servers with `--cpu-prof` (into `results/profiles`); P4 also writes heap snapshots (`results/heap`). */
  profile: boolean;
  /** Figures to run (lower case ids), all when empty. */
  only: string[];
  resultsDir: string;
  logsDir: string;
  /** A temp folder for this run's SQLite files, removed at the end. */
  tmp: string;
  /** Highest socket count one process may hold (descriptor limit minus headroom). */
  maxSocketsPerProcess: number;
  log(message: string): void;
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Pick<BenchContext, 'quick' | 'soakMinutes' | 'profile' | 'only'> {
  const flag = (name: string): string | undefined => {
    const arg = argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (arg) return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : 'true';
    // `npm run bench --quick` reaches the script only as npm_config_quick=true
    return env[`npm_config_${name.replace(/-/g, '_')}`];
  };
  const truthy = (value: string | undefined) => value !== undefined && value !== 'false' && value !== '';
  const quick = truthy(flag('quick'));
  const soak = Number(flag('soak-minutes'));
  return {
    quick,
    soakMinutes: Number.isFinite(soak) && soak > 0 ? soak : quick ? 1 / 6 : 10,
    profile: truthy(flag('profile')),
    only: (flag('only') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s && s !== 'true'),
  };
}

/** A soak's length for people: `10 s`, `2 min`. */
export const soakLength = (minutes: number): string => (minutes < 1 ? `${Math.round(minutes * 60)} s` : `${minutes} min`);

export function createContext(flags: ReturnType<typeof parseFlags>, resultsDir: string, fdLimit: number): BenchContext {
  const logsDir = join(resultsDir, 'logs');
  rmSync(logsDir, { recursive: true, force: true });
  if (flags.profile) for (const dir of ['profiles', 'heap']) rmSync(join(resultsDir, dir), { recursive: true, force: true });
  mkdirSync(logsDir, { recursive: true });
  return {
    ...flags,
    resultsDir,
    logsDir,
    tmp: mkdtempSync(join(tmpdir(), 'nps-bench-')),
    maxSocketsPerProcess: Math.max(100, fdLimit - 256),
    log: (message) => console.error(`  · ${message}`),
  };
}
