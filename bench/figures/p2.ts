import { ClientPool } from '../lib/client-pool.js';
import type { BenchContext } from '../lib/context.js';
import { SeriesRecorder, newSeq, timedEvent, type Send, type Series } from '../lib/events.js';
import { startServer, type ServerHandle } from '../lib/servers.js';
import { round, sleep, type Spread } from '../lib/stats.js';
import { ratioRow, type FigureResult, type LatencyPoint, type Row } from '../lib/types.js';
import { Writer } from '../lib/writer.js';

const BUILT = 'public.feed.create';
const ACCESS = 'public.open.create';
const WARMUP = 3;

/**
 * P2: commit → last receipt of a `public` emit at 1,000 (and 5,000) sockets ÷ a raw Socket.IO server's
 * `io.emit` of the same payload to as many sockets. Ours is stamped in an afterChange hook, raw right before
 * `io.emit`; clients stamp receipts on the same machine clock. Both servers hold their sockets at once and the
 * events alternate between them, so load from elsewhere on the machine hits both alike.
 */
export async function p2(ctx: BenchContext): Promise<FigureResult> {
  const sizes = (ctx.quick ? [1000] : [1000, 5000]).filter((n) => n <= ctx.maxSocketsPerProcess);
  const events = ctx.quick ? 15 : 30;
  const rows: Row[] = [];
  const latency: LatencyPoint[] = [];
  const details: Record<string, unknown> = {};
  for (const sockets of sizes) {
    const ours = await startServer(ctx, 'ours', `p2-ours-${sockets}`);
    const raw = await startServer(ctx, 'raw', `p2-raw-${sockets}`);
    const pool = await ClientPool.start(ctx, 2);
    try {
      const shares = [Math.ceil(sockets / 2), Math.floor(sockets / 2)];
      for (const p of [0, 1]) {
        await pool.connectTo(p, { url: ours.url, count: shares[p], events: [BUILT, ACCESS] });
        await pool.connectTo(p, { url: raw.url, count: shares[p], events: [BUILT] });
      }
      await expectSockets(ours, sockets);
      await expectSockets(raw, sockets);

      const writer = new Writer(ours.url);
      await writer.openSession(); // a browser's tab: without its cookie every request would store a new session
      const template = { ...(await writer.create('feed', newSeq())).doc, hello: 'world' };
      const oursBuilt: Send = async (n) => (await writer.create('feed', n)).doc.committedAt as number;
      const oursAccess: Send = async (n) => (await writer.create('open', n)).doc.committedAt as number;
      const rawEmit: Send = (n) => raw.emit(BUILT, { ...template, seq: n, title: `bench post ${n}` });
      await sleep(500); // let the template's receipts land before anything is timed

      // `public: true` goes through access-aware delivery: measured only if it reaches the sockets at all.
      const probe = await timedEvent(pool, oursAccess, shares, 3_000);
      const accessWorks = probe.latencies.length === sockets;

      const built = new SeriesRecorder();
      const access = new SeriesRecorder();
      const baseline = new SeriesRecorder();
      for (let i = 0; i < WARMUP + events; i++) {
        const timed = i >= WARMUP;
        const a = await timedEvent(pool, oursBuilt, shares);
        const b = await timedEvent(pool, rawEmit, shares);
        const c = accessWorks ? await timedEvent(pool, oursAccess, shares) : undefined;
        if (!timed) continue;
        built.add(a);
        baseline.add(b);
        if (c) access.add(c);
      }
      const [ourSeries, rawSeries] = [built.result(), baseline.result()];
      ctx.log(`P2 ${sockets} sockets, last receipt median: ours ${round(ourSeries.lastMedian)} ms, raw ${round(rawSeries.lastMedian)} ms`);

      const label = `commit → last receipt, ${sockets.toLocaleString('en')} sockets (median of ${events})`;
      rows.push(ratioRow({ figure: 'P2', label: `${label}, built value`, value: ourSeries.lastMedian, baseline: rawSeries.lastMedian, unit: 'ms', goal: '≤ 1.10', note: missingNote(ourSeries, rawSeries) }, 1.1));
      let accessSeries: Series | string;
      if (accessWorks) {
        accessSeries = access.result();
        rows.push(ratioRow({ figure: 'P2', label: `${label}, public: true (access-aware)`, value: accessSeries.lastMedian, baseline: rawSeries.lastMedian, unit: 'ms', goal: '≤ 1.10', note: missingNote(accessSeries, rawSeries) }, 1.1));
      } else {
        accessSeries = `not measured: \`public: true\` reached ${probe.latencies.length} of ${sockets} sockets`;
        rows.push({ figure: 'P2', label: `${label}, public: true`, unit: 'ms', goal: '≤ 1.10', status: 'not measured', note: accessSeries });
      }
      latency.push({ server: 'ours', sockets, ...pick(ourSeries.all) }, { server: 'raw', sockets, ...pick(rawSeries.all) });
      details[sockets] = { ours: ourSeries, oursAccessAware: accessSeries, raw: rawSeries, payloadBytes: Buffer.byteLength(JSON.stringify(template)), topQueries: await ours.topQueries(6) };
    } finally {
      await pool.close();
      await Promise.all([ours.close(), raw.close()]);
    }
  }
  return { rows, details, latency };
}

async function expectSockets(server: ServerHandle, sockets: number): Promise<void> {
  const seen = await server.sockets();
  if (seen !== sockets) throw new Error(`${server.kind}: server sees ${seen} of ${sockets} sockets`);
}

const pick = ({ p50, p90, p99 }: Spread) => ({ p50, p90, p99 });

const missingNote = (ours: Series, raw: Series): string | undefined => {
  const notes = [
    ...(ours.commitToRule ? [`commit → rule ran: median ${round(ours.commitToRule.p50)} ms`] : []),
    `every receipt p50/p99: ours ${round(ours.all.p50)}/${round(ours.all.p99)} ms, raw ${round(raw.all.p50)}/${round(raw.all.p99)} ms`,
    ...(ours.missing || raw.missing ? [`missed receipts: ours ${ours.missing}, raw ${raw.missing}`] : []),
  ];
  return notes.join('; ');
};
