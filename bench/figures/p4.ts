import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClientPool } from '../lib/client-pool.js';
import type { BenchContext } from '../lib/context.js';
import { startServer, type ServerHandle, type ServerKind } from '../lib/servers.js';
import { round, sleep } from '../lib/stats.js';
import type { FigureResult, Row } from '../lib/types.js';
import type { MemorySample } from '../processes/server-control.js';

interface PerSocket {
  sockets: number;
  /** (heapUsed + external) after GC at N sockets minus at 0, ÷ N, in bytes. */
  heap: number;
  rss: number;
  at0: MemorySample;
  atN: MemorySample;
}

/**
 * P4: memory per connected socket in the server process (after GC, at N sockets minus at 0, ÷ N), ours minus a
 * raw Socket.IO server's. Ours: each socket authenticated as its own user (a JWT in `handshake.auth.token`) and
 * linked to a session by its handshake; raw: plain sockets.
 */
export async function p4(ctx: BenchContext): Promise<FigureResult> {
  const sockets = Math.min(ctx.quick ? 500 : 5000, ctx.maxSocketsPerProcess * 2);
  const ours = await measure(ctx, 'ours', sockets);
  const raw = await measure(ctx, 'raw', sockets);
  const kb = (bytes: number) => bytes / 1024;
  const label = `server memory per socket, ${sockets.toLocaleString('en')} sockets`;
  const heapDiff = kb(ours.heap - raw.heap);
  const rows: Row[] = [
    {
      figure: 'P4',
      label: `${label}: JS heap + external`,
      value: kb(ours.heap),
      baseline: kb(raw.heap),
      unit: 'KB',
      compare: heapDiff,
      compareKind: 'difference',
      goal: '≤ +4 KB',
      pass: heapDiff <= 4,
      status: 'measured',
      note: 'ours: one user per socket, JWT in handshake.auth.token, session-linked; raw: plain sockets',
    },
    {
      figure: 'P4',
      label: `${label}: RSS`,
      value: kb(ours.rss),
      baseline: kb(raw.rss),
      unit: 'KB',
      compare: kb(ours.rss - raw.rss),
      compareKind: 'difference',
      goal: '(info)',
      status: 'measured',
      note: ctx.profile
        ? 'not meaningful with --profile (the heap snapshots grow RSS)'
        : 'RSS keeps the peak of the connect burst; the heap row is the judged one',
    },
  ];
  return { rows, details: { sockets, ours, raw } };
}

async function measure(ctx: BenchContext, kind: ServerKind, sockets: number): Promise<PerSocket> {
  const server = await startServer(ctx, kind, `p4-${kind}`);
  const pool = await ClientPool.start(ctx, 2);
  try {
    // Warm up: the first connections load and compile (and optimise) the connection path; that is not per-socket
    // memory. As many as measured (up to 1,000), or code compiled during the measured ones counts per socket.
    const warmup = Math.min(sockets, 1000);
    const tokens = kind === 'ours' ? (await server.seedUsers(sockets + warmup)).tokens : undefined;
    const connect = (from: number, count: number) =>
      pool.connect({ url: server.url, count, events: [], ...(tokens ? { tokens: tokens.slice(from, from + count) } : {}) });
    await connect(sockets, warmup);
    await pool.disconnect();
    await sleep(ctx.quick ? 300 : 1_000);
    const at0 = await settledMemory(server, ctx.quick ? 2 : 3);
    const heapDir = join(ctx.resultsDir, 'heap');
    mkdirSync(heapDir, { recursive: true });
    if (ctx.profile) await server.heapSnapshot(join(heapDir, `${kind}-0.heapsnapshot`));
    if (at0.sockets !== 0) throw new Error(`${kind}: ${at0.sockets} sockets left after the warm-up`);
    await connect(0, sockets);
    await sleep(ctx.quick ? 500 : 2_000);
    const atN = await settledMemory(server, ctx.quick ? 2 : 3);
    if (ctx.profile) await server.heapSnapshot(join(heapDir, `${kind}-${sockets}.heapsnapshot`));
    if (atN.sockets !== sockets) throw new Error(`${kind}: server sees ${atN.sockets} of ${sockets} sockets`);
    const heap = (atN.heapUsed + atN.external - at0.heapUsed - at0.external) / sockets;
    ctx.log(`P4 ${kind}: ${round(heap / 1024)} KB heap, ${round((atN.rss - at0.rss) / sockets / 1024)} KB RSS per socket`);
    return { sockets, heap, rss: (atN.rss - at0.rss) / sockets, at0, atN };
  } finally {
    await pool.close();
    await server.close();
  }
}

/**
 * The lowest of a few samples after GC: work in flight at one instant (the module's periodic user re-read, a
 * session write) holds objects a GC cannot free yet; it is not what a socket costs.
 */
async function settledMemory(server: ServerHandle, samples: number): Promise<MemorySample> {
  let best: MemorySample | undefined;
  for (let i = 0; i < samples; i++) {
    if (i) await sleep(700);
    const sample = await server.memory();
    if (!best || sample.heapUsed + sample.external < best.heapUsed + best.external) best = sample;
  }
  return best!;
}
