import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { MemorySample } from '../processes/server-control.js';
import type { BenchContext } from './context.js';
import type { Rpc } from './ipc.js';
import { spawnChild } from './spawn.js';

export type ServerKind = 'ours' | 'disabled' | 'raw';

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

  close(): Promise<void> {
    return this.rpc.close();
  }
}

let started = 0;

export async function startServer(ctx: BenchContext, kind: ServerKind, label = kind): Promise<ServerHandle> {
  const name = `${++started}-${label}`;
  const log = join(ctx.logsDir, `${name}.log`);
  const rpc =
    kind === 'raw'
      ? spawnChild('raw-server', [], { log })
      : spawnChild('app-server', [mkdtempSync(join(ctx.tmp, `${name}-`)), String(kind === 'ours')], {
          log,
          cpuProfDir: ctx.profile && kind === 'ours' ? join(ctx.resultsDir, 'profiles') : undefined,
        });
  const ready = await rpc.ready(120_000);
  return new ServerHandle(kind, ready.url as string, rpc);
}
