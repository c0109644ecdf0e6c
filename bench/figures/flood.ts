import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { BenchContext } from '../lib/context.js';
import { newSeq } from '../lib/events.js';
import { startServer, type ServerHandle } from '../lib/servers.js';
import { spawnChild } from '../lib/spawn.js';
import { percentile, round, sleep, stamp } from '../lib/stats.js';
import { infoRatioRow, ratioRow, type FigureResult, type Row } from '../lib/types.js';
import { Writer } from '../lib/writer.js';

const EVENT = 'public.feed.create';
/** Issue 13 measured ~35 handshakes/s; this is three times that. */
const FLOOD_PER_SECOND = 100;
const FLOOD_ADDRESS = '127.0.0.2';

interface Phase {
  http: number[];
  event: number[];
}

/**
 * Handshake flood: one address opening anonymous Engine.IO handshakes (polling and websocket by turns) while a
 * bystander (its own address, 127.0.0.1) reads, writes and receives the write's event. Bystander latency during
 * the flood ÷ before it, on our server with its defaults (the handshake limit on) — and, for reference, on the
 * same server with `limits.handshakesPerMinute: 0`.
 */
export async function flood(ctx: BenchContext): Promise<FigureResult> {
  const samples = ctx.quick ? 30 : 100;
  const protectedRun = await run(ctx, 'flood', undefined, samples);
  const unprotectedRun = await run(ctx, 'flood-unlimited', { handshakesPerMinute: 0 }, samples);
  const label = (what: string) => `handshake flood (${FLOOD_PER_SECOND}/s from one address): bystander ${what} p50, during ÷ before`;
  const p50 = (values: number[]) => percentile(values, 50);
  const p99 = (values: number[]) => percentile(values, 99);
  const note = (r: Result) =>
    `${samples} samples each; p99 before/during ${round(p99(r.before.http))}/${round(p99(r.during.http))} ms (HTTP), ` +
    `${round(p99(r.before.event))}/${round(p99(r.during.event))} ms (event); flood answers ${JSON.stringify(r.statuses)}; ` +
    `SQL statements during the flood beyond the bystander's: ${r.floodStatements}`;
  const rows: Row[] = [
    ratioRow({ figure: 'FLOOD', label: label('HTTP (GET + create)'), value: p50(protectedRun.during.http), baseline: p50(protectedRun.before.http), unit: 'ms', goal: '≤ 3', note: note(protectedRun) }, 3),
    ratioRow({ figure: 'FLOOD', label: label('event (commit → receipt)'), value: p50(protectedRun.during.event), baseline: p50(protectedRun.before.event), unit: 'ms', goal: '≤ 3' }, 3),
    infoRatioRow({ figure: 'FLOOD', label: `${label('HTTP')} — without the limit (handshakesPerMinute: 0)`, value: p50(unprotectedRun.during.http), baseline: p50(unprotectedRun.before.http), unit: 'ms', note: note(unprotectedRun) }),
    infoRatioRow({ figure: 'FLOOD', label: `${label('event')} — without the limit`, value: p50(unprotectedRun.during.event), baseline: p50(unprotectedRun.before.event), unit: 'ms' }),
  ];
  return { rows, details: { samples, perSecond: FLOOD_PER_SECOND, limited: protectedRun, unlimited: unprotectedRun } };
}

interface Result {
  before: Phase;
  during: Phase;
  statuses: Record<string, number>;
  floodStatements: number;
}

async function run(ctx: BenchContext, label: string, limits: Record<string, unknown> | undefined, samples: number): Promise<Result> {
  const server = await startServer(ctx, 'ours', label, limits ? { limits } : {});
  const flooder = spawnChild('flood', [], { log: join(ctx.logsDir, `${label}-flooder.log`), nice: true });
  let bystander: Socket | undefined;
  try {
    await flooder.ready();
    const writer = new Writer(server.url);
    await writer.openSession();
    bystander = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const received = new Map<number, number>();
    bystander.on(EVENT, (data: { seq?: number }) => typeof data?.seq === 'number' && received.set(data.seq, stamp()));
    await new Promise<void>((resolve, reject) => {
      bystander!.once('connect', () => resolve());
      bystander!.once('connect_error', reject);
    });
    await sample(server, writer, received, 20); // warm-up
    const before = await sample(server, writer, received, samples);
    const statementsBefore = await server.queries();
    const quiet = await sample(server, writer, received, 5);
    const bystanderStatements = (await server.queries()) - statementsBefore; // per 5 samples
    await flooder.call('start', { url: server.url, perSecond: FLOOD_PER_SECOND, localAddress: FLOOD_ADDRESS });
    await sleep(2000); // the flood is in full swing (and the burst spent) before anything is timed
    const floodStart = await server.queries();
    const during = await sample(server, writer, received, samples);
    const floodStatements = (await server.queries()) - floodStart - Math.round((bystanderStatements / quiet.http.length) * samples);
    const statuses = await flooder.call<Record<string, number>>('stop');
    ctx.log(`FLOOD ${label}: HTTP p50 ${round(percentile(before.http, 50))} → ${round(percentile(during.http, 50))} ms, event p50 ${round(percentile(before.event, 50))} → ${round(percentile(during.event, 50))} ms, flood ${JSON.stringify(statuses)}`);
    return { before, during, statuses, floodStatements };
  } finally {
    bystander?.close();
    await flooder.close();
    await server.close();
  }
}

/** Sequential bystander rounds: a GET and a create (HTTP time of both), then the create's event (commit → receipt). */
async function sample(server: ServerHandle, writer: Writer, received: Map<number, number>, count: number): Promise<Phase> {
  const phase: Phase = { http: [], event: [] };
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/feed?limit=1`, { headers: writer.cookie ? { cookie: writer.cookie } : {} });
    await response.arrayBuffer();
    const seq = newSeq();
    const { doc } = await writer.create('feed', seq);
    phase.http.push(performance.now() - started);
    const deadline = Date.now() + 10_000;
    while (!received.has(seq)) {
      if (Date.now() > deadline) throw new Error(`FLOOD: the bystander never got event ${seq}`);
      await sleep(1);
    }
    phase.event.push(received.get(seq)! - (doc.committedAt as number));
  }
  return phase;
}
