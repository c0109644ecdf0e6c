import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rpc } from './ipc.js';

/** dist/bench/processes, where the compiled child entries live. */
const processesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'processes');

export interface SpawnOptions {
  /** Log file for the child's stdout and stderr (kept out of the bench's table). */
  log: string;
  /** Lower CPU priority (socket clients: on a small machine they must not steal the server's core). */
  nice?: boolean;
  /** Write a V8 CPU profile into this folder when the child exits. */
  cpuProfDir?: string;
  env?: Record<string, string>;
}

/**
 * Starts `processes/<entry>.js` with an IPC channel. Node cannot raise its own descriptor limit, so the child is
 * started through bash, which lifts the soft `ulimit -n` to the hard one first and then execs node.
 */
export function spawnChild(entry: string, args: string[], options: SpawnOptions): Rpc {
  mkdirSync(dirname(options.log), { recursive: true });
  const out = openSync(options.log, 'a');
  const nodeArgs = ['--expose-gc', ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [])];
  const command = [...(options.nice ? ['nice', '-n', '10'] : []), process.execPath, ...nodeArgs, join(processesDir, `${entry}.js`), ...args];
  const child = spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'bash', ...command], {
    stdio: ['ignore', out, out, 'ipc'],
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', ...options.env },
  });
  const rpc = new Rpc(child, entry);
  live.add(rpc);
  child.once('exit', () => live.delete(rpc));
  return rpc;
}

const live = new Set<Rpc>();

/** Closes every child still running (a figure that failed half-way leaves some behind). */
export async function closeAll(): Promise<void> {
  await Promise.all([...live].map((rpc) => rpc.close(5_000)));
}

process.on('exit', () => {
  for (const rpc of live) rpc.child.kill('SIGKILL');
});

/** The descriptor limit a child gets (the hard limit, which `spawnChild` raises the soft one to). */
export function childFdLimit(): number {
  try {
    const value = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return value === 'unlimited' ? 1_048_576 : Number(value);
  } catch {
    return 1024;
  }
}
