import { ClientPool } from '../lib/client-pool.js';
import type { BenchContext } from '../lib/context.js';
import { startServer } from '../lib/servers.js';
import { median, percentile, round, sleep } from '../lib/stats.js';
import { ratioRow, type FigureResult } from '../lib/types.js';
import { Writer } from '../lib/writer.js';

const EVENTS = ['public.posts.create', 'self.posts.create', 'lorem.posts.create'];
const SOCKETS = { self: 1, lorem: 49, plain: 50 };
const BLOCK = 50;

/**
 * P1: REST create latency with one rule (public + self + a room) and 100 sockets ÷ the same app with
 * `enabled: false`. Both servers run at once and the sequential writes alternate between them in blocks, so
 * drift of the machine hits both alike.
 */
export async function p1(ctx: BenchContext): Promise<FigureResult> {
  const writes = ctx.quick ? 300 : 2000;
  const warmup = ctx.quick ? 30 : 200;
  // Started one after the other: two Payload boots at once on two cores slow both down for nothing.
  const ours = await startServer(ctx, 'ours', 'p1-ours');
  const disabled = await startServer(ctx, 'disabled', 'p1-disabled');
  const pool = await ClientPool.start(ctx, 1);
  try {
    const writers = { ours: new Writer(ours.url), disabled: new Writer(disabled.url) };
    await Promise.all([writers.ours.openSession(), writers.disabled.openSession()]);
    await pool.connect({ url: ours.url, count: SOCKETS.self, events: EVENTS, cookie: writers.ours.cookie, mode: 'count' });
    await pool.connect({ url: ours.url, count: SOCKETS.lorem, events: EVENTS, room: 'lorem', mode: 'count' });
    await pool.connect({ url: ours.url, count: SOCKETS.plain, events: EVENTS, mode: 'count' });
    const connected = await ours.sockets();

    let seq = 0;
    for (let i = 0; i < warmup; i++) {
      await writers.ours.create('posts', ++seq);
      await writers.disabled.create('posts', ++seq);
    }
    await ours.idle();
    await sleep(300);
    await pool.drain();
    ctx.log(`P1: ${connected} sockets, ${warmup} warm-up writes each, now ${writes} timed writes each`);

    const ms = { ours: [] as number[], disabled: [] as number[] };
    let order: ('ours' | 'disabled')[] = ['ours', 'disabled'];
    while (ms.ours.length < writes) {
      for (const kind of order) {
        for (let i = 0; i < BLOCK && ms[kind].length < writes; i++) ms[kind].push((await writers[kind].create('posts', ++seq)).ms);
      }
      order = [order[1], order[0]];
    }

    const topQueries = { ours: await ours.topQueries(6), disabled: await disabled.topQueries(6) };
    const delivered = await collectDeliveries(pool, () => ours.idle(), writes * connected);
    const perWrite = Object.fromEntries(EVENTS.map((e) => [e, round((delivered[e] ?? 0) / writes, 2)]));
    const [pub, self, lorem] = EVENTS.map((e) => perWrite[e]);
    const note = `rule {public: built value, self: true, lorem: 'ipsum'}; receipts per write: public ${pub}/${connected}, self ${self}/${SOCKETS.self}, lorem ${lorem}/${SOCKETS.lorem}`;
    const label = `REST create, ${connected} sockets, ${writes} writes`;
    return {
      rows: [
        ratioRow({ figure: 'P1', label: `${label} — median`, value: median(ms.ours), baseline: median(ms.disabled), unit: 'ms', goal: '≤ 1.05', note }, 1.05),
        ratioRow({ figure: 'P1', label: `${label} — p99`, value: percentile(ms.ours, 99), baseline: percentile(ms.disabled, 99), unit: 'ms', goal: '≤ 1.05' }, 1.05),
      ],
      details: {
        sockets: connected,
        writes,
        warmup,
        ours: summary(ms.ours),
        disabled: summary(ms.disabled),
        receiptsPerWrite: perWrite,
        topQueries,
      },
    };
  } finally {
    await pool.close();
    await Promise.all([ours.close(), disabled.close()]);
  }
}

/** Receipts per event name of the timed writes, once the module's queue is empty and the sockets caught up. */
async function collectDeliveries(pool: ClientPool, idle: () => Promise<void>, publicExpected: number): Promise<Record<string, number>> {
  await idle();
  const total: Record<string, number> = {};
  const deadline = Date.now() + 5_000;
  do {
    await sleep(200);
    const drained = await pool.drain();
    for (const [event, n] of Object.entries(drained.events)) total[event] = (total[event] ?? 0) + n;
  } while ((total[EVENTS[0]] ?? 0) < publicExpected && Date.now() < deadline);
  return total;
}

const summary = (values: number[]) => ({
  median: round(median(values), 3),
  p90: round(percentile(values, 90), 3),
  p99: round(percentile(values, 99), 3),
  max: round(Math.max(...values), 3),
});
