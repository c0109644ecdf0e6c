import { ClientPool } from '../lib/client-pool.js';
import { soakLength, type BenchContext } from '../lib/context.js';
import { startServer } from '../lib/servers.js';
import { round, sleep, spread } from '../lib/stats.js';
import type { FigureResult, Row } from '../lib/types.js';
import { Writer } from '../lib/writer.js';

const SOCKETS = 1000;
const RATE = 20;
const EVENT = 'public.feed.create';
const SAMPLE_MS = 5_000;
/** "Flat" RSS: after GC, the end of the run is within this share of its start. */
const FLAT = 0.1;

/**
 * Soak: 1,000 sockets and 20 writes/s (each a `public` emit) for `--soak-minutes`. Every socket must receive
 * every event; the server's RSS after GC must not drift; its event-loop lag p99 is reported.
 */
export async function soak(ctx: BenchContext): Promise<FigureResult> {
  const sockets = Math.min(SOCKETS, ctx.maxSocketsPerProcess * 2);
  const total = Math.round(ctx.soakMinutes * 60 * RATE);
  const server = await startServer(ctx, 'ours', 'soak');
  const pool = await ClientPool.start(ctx, 2);
  try {
    await pool.connect({ url: server.url, count: sockets, events: [EVENT], mode: 'count' });
    const writer = new Writer(server.url);
    await writer.openSession();
    let seq = 0;
    for (let i = 0; i < RATE * 2; i++) await writer.create('feed', ++seq); // warm-up, not counted
    await server.idle();
    await sleep(500);
    await pool.drain();
    const start = await server.memory();
    await server.lagStart();
    ctx.log(`soak: ${sockets} sockets, ${RATE} writes/s for ${soakLength(ctx.soakMinutes)} (${total} writes)`);

    const first = seq + 1;
    const received = new Map<number, number>();
    const latencies: number[] = [];
    const rss: { s: number; rss: number; heapUsed: number }[] = [];
    const failed = new Set<number>();
    let disconnects = 0;
    const absorb = async () => {
      const drained = await pool.drain();
      for (const [n, count] of Object.entries(drained.perSeq)) received.set(Number(n), (received.get(Number(n)) ?? 0) + count);
      for (const l of drained.latencies) latencies.push(l);
      disconnects += drained.disconnects;
    };

    const t0 = performance.now();
    const inFlight = new Set<Promise<void>>();
    let nextSample = SAMPLE_MS;
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const n = ++seq;
      const write = writer.create('feed', n).then(
        () => undefined,
        () => void failed.add(n),
      );
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
      if (performance.now() - t0 >= nextSample) {
        nextSample += SAMPLE_MS;
        const m = await server.memory(false);
        rss.push({ s: round((performance.now() - t0) / 1000, 1), rss: m.rss, heapUsed: m.heapUsed });
        await absorb();
      }
    }
    const elapsed = (performance.now() - t0) / 1000;
    await Promise.all(inFlight);
    await server.idle();
    const failures = failed.size;
    const expected = (total - failures) * sockets;
    const deadline = Date.now() + 15_000;
    do {
      await sleep(250);
      await absorb();
    } while (sum(received) < expected && Date.now() < deadline);
    const lag = await server.lagStop();
    const end = await server.memory();

    let lost = 0;
    // A failed write emits nothing: not lost (it is reported as a failure).
    for (let n = first; n <= seq; n++) if (!failed.has(n)) lost += Math.max(0, sockets - (received.get(n) ?? 0));
    const drift = (end.rss - start.rss) / start.rss;
    const mb = (bytes: number) => bytes / 1024 / 1024;
    const delivery = spread(latencies);
    const runLabel = `${sockets.toLocaleString('en')} sockets × ${RATE} writes/s × ${soakLength(ctx.soakMinutes)}`;
    const rows: Row[] = [
      {
        figure: 'soak',
        label: `events lost, ${runLabel}`,
        value: lost,
        unit: 'events',
        goal: '0',
        pass: lost === 0 && failures === 0 && disconnects === 0,
        status: 'measured',
        note: `${expected.toLocaleString('en')} receipts expected; failed writes ${failures}; dropped sockets ${disconnects}; delivery p50 ${round(delivery.p50)} ms, p99 ${round(delivery.p99)} ms`,
      },
      {
        figure: 'soak',
        label: 'server RSS after GC, end vs start',
        value: mb(end.rss),
        baseline: mb(start.rss),
        unit: 'MB',
        compare: end.rss / start.rss,
        compareKind: 'ratio',
        goal: `flat (≤ ${1 + FLAT})`,
        pass: drift <= FLAT,
        status: 'measured',
        note: `heap after GC ${round(mb(start.heapUsed), 1)} → ${round(mb(end.heapUsed), 1)} MB`,
      },
      { figure: 'soak', label: 'server event-loop lag p99', value: lag.p99, unit: 'ms', goal: '(info)', status: 'measured', note: `p50 ${round(lag.p50)} ms, max ${round(lag.max)} ms` },
    ];
    return {
      rows,
      details: { sockets, rate: RATE, minutes: ctx.soakMinutes, writes: total, elapsedSeconds: round(elapsed, 1), failures, disconnects, lost, delivery, lag, start, end, rss },
    };
  } finally {
    await pool.close();
    await server.close();
  }
}

const sum = (map: Map<number, number>) => [...map.values()].reduce((a, b) => a + b, 0);
