import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { AppServerOptions } from '../processes/app-server.js';
import type { MemorySample } from '../processes/server-control.js';
import type { BenchContext } from './context.js';
import type { Rpc } from './ipc.js';
import { spawnChild } from './spawn.js';

export type ServerKind = 'ours' | 'disabled' | 'handwritten' | 'raw';

/** A server under test in its own process. */
export class ServerHandle {
  constructor(
    readonly kind: ServerKind,
    readonly url: string,
    private readonly rpc: Rpc,
  ) {}

  memory(gc = true): Promise<MemorySample> {
    return this.rpc.call('memory', { gc });
  }

  sockets(): Promise<number> {
    return this.rpc.call('sockets');
  }

  lagStart(): Promise<void> {
    return this.rpc.call('lagStart');
  }

  lagStop(): Promise<{ p50: number; p99: number; max: number }> {
    return this.rpc.call('lagStop');
  }

  /** Raw server only: stamp, then `io.emit(event, payload)`; returns the stamp. */
  emit(event: string, payload: Record<string, unknown>): Promise<number> {
    return this.rpc.call('emit', { event, payload });
  }

  /** Ours only: resolves once every queued emit has been handed to Socket.IO. */
  idle(): Promise<void> {
    return this.rpc.call('idle');
  }

  /** Writes a heap snapshot (after GC) to `file`. */
  heapSnapshot(file: string): Promise<string> {
    return this.rpc.call('heapSnapshot', { file }, 300_000);
  }

  /** Ours only: SQL statements sent so far. */
  queries(): Promise<number> {
    return this.rpc.call('queries');
  }

  /** Ours only: the statements that took the most time so far. */
  topQueries(n = 10): Promise<{ sql: string; calls: number; ms: number }[]> {
    return this.rpc.call('topQueries', { n });
  }

  /** Ours only: `count` users with a minted JWT each. */
  seedUsers(count: number): Promise<{ ids: (string | number)[]; tokens: string[] }> {
    return this.rpc.call('seedUsers', { count }, 300_000);
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}

let started = 0;

export async function startServer(ctx: BenchContext, kind: ServerKind, label: string = kind, extra: Partial<AppServerOptions> = {}): Promise<ServerHandle> {
  const name = `${++started}-${label}`;
  const log = join(ctx.logsDir, `${name}.log`);
  const options: AppServerOptions = { folder: mkdtempSync(join(ctx.tmp, `${name}-`)), enabled: kind === 'ours', handwritten: kind === 'handwritten', ...extra };
  const cpuProfDir = ctx.profile ? join(ctx.resultsDir, 'profiles', label) : undefined;
  const rpc =
    kind === 'raw'
      ? spawnChild('raw-server', [], { log, cpuProfDir })
      : spawnChild('app-server', [JSON.stringify(options)], { log, cpuProfDir });
  const t = performance.now();
  const ready = await rpc.ready(120_000);
  ctx.log(`${label} server up in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return new ServerHandle(kind, ready.url as string, rpc);
}
