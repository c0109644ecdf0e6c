import { join } from 'node:path';
import type { BenchContext } from './context.js';
import type { Rpc } from './ipc.js';
import { spawnChild } from './spawn.js';

export interface ConnectOptions {
  url: string;
  count: number;
  events: string[];
  cookie?: string;
  room?: string;
  /** One JWT per socket (then `count` is their number). */
  tokens?: string[];
  mode?: 'times' | 'count';
}

export interface Drained {
  perSeq: Record<number, number>;
  latencies: number[];
  events: Record<string, number>;
  disconnects: number;
  connected: number;
}

let pools = 0;

/** Socket clients spread over a few processes (niced, so they do not starve the server on a small machine). */
export class ClientPool {
  private readonly held: number[];

  private constructor(
    private readonly procs: Rpc[],
    private readonly maxPerProcess: number,
  ) {
    this.held = procs.map(() => 0);
  }

  static async start(ctx: BenchContext, processes: number): Promise<ClientPool> {
    const id = ++pools;
    const procs = Array.from({ length: processes }, (_, i) =>
      spawnChild('client', [], { log: join(ctx.logsDir, `clients-${id}-${i}.log`), nice: true }),
    );
    await Promise.all(procs.map((p) => p.ready()));
    return new ClientPool(procs, ctx.maxSocketsPerProcess);
  }

  get size(): number {
    return this.held.reduce((a, b) => a + b, 0);
  }

  get processes(): number {
    return this.procs.length;
  }

  /** Opens `count` sockets, filling the emptiest processes first; resolves with how many are connected. */
  async connect(options: ConnectOptions): Promise<number> {
    const shares = this.procs.map(() => 0);
    const count = options.tokens?.length ?? options.count;
    for (let i = 0; i < count; i++) {
      const target = shares.map((s, p) => this.held[p] + s).reduce((best, load, p, all) => (load < all[best] ? p : best), 0);
      if (this.held[target] + shares[target] >= this.maxPerProcess) throw new Error(`more sockets than the descriptor limit allows (${this.maxPerProcess} per process)`);
      shares[target]++;
    }
    const starts = shares.map((_, p) => shares.slice(0, p).reduce((a, b) => a + b, 0));
    const results = await Promise.all(
      this.procs.map((proc, p) => {
        if (!shares[p]) return { connected: 0 };
        const tokens = options.tokens?.slice(starts[p], starts[p] + shares[p]);
        return proc.call<{ connected: number }>('connect', { ...options, count: shares[p], ...(tokens ? { tokens } : {}) }, 180_000);
      }),
    );
    shares.forEach((share, p) => (this.held[p] += share));
    return results.reduce((sum, r) => sum + r.connected, 0);
  }

  /** Opens sockets in one given process (to know later where each user's socket is). */
  async connectTo(proc: number, options: ConnectOptions): Promise<number> {
    const count = options.tokens?.length ?? options.count;
    if (this.held[proc] + count > this.maxPerProcess) throw new Error(`more sockets than the descriptor limit allows (${this.maxPerProcess} per process)`);
    const { connected } = await this.procs[proc].call<{ connected: number }>('connect', { ...options, count }, 180_000);
    this.held[proc] += count;
    return connected;
  }

  /** Receipt stamps of event `seq` in one process, once `expect` of its sockets have it (or the timeout). */
  awaitOn(proc: number, seq: number, expect: number, timeoutMs = 15_000): Promise<{ times: number[]; missing: number; ruleAt?: number }> {
    return this.procs[proc].call('await', { seq, expect, timeoutMs }, timeoutMs + 10_000);
  }

  /** Receipts nobody awaited: events that reached sockets they were not meant for. */
  async stray(): Promise<number> {
    const counts = await Promise.all(this.procs.map((proc) => proc.call<number>('stray')));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Counting mode: receipts per seq, latency samples and event counts since the last drain, summed over processes. */
  async drain(): Promise<Drained> {
    const parts = await Promise.all(this.procs.map((proc) => proc.call<Drained>('drain')));
    const total: Drained = { perSeq: {}, latencies: [], events: {}, disconnects: 0, connected: 0 };
    for (const part of parts) {
      for (const [seq, n] of Object.entries(part.perSeq)) total.perSeq[Number(seq)] = (total.perSeq[Number(seq)] ?? 0) + n;
      for (const [event, n] of Object.entries(part.events)) total.events[event] = (total.events[event] ?? 0) + n;
      for (const latency of part.latencies) total.latencies.push(latency);
      total.disconnects += part.disconnects;
      total.connected += part.connected;
    }
    return total;
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.procs.map((proc) => proc.call('disconnect')));
    this.held.fill(0);
  }

  async close(): Promise<void> {
    await Promise.all(this.procs.map((proc) => proc.close()));
  }
}
