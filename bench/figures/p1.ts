import { ClientPool } from '../lib/client-pool.js';
import type { BenchContext } from '../lib/context.js';
import { startServer, type ServerHandle } from '../lib/servers.js';
import { median, percentile, round, sleep } from '../lib/stats.js';
import { infoRatioRow, ratioRow, type FigureResult } from '../lib/types.js';
import { Writer } from '../lib/writer.js';

const EVENTS = ['public.posts.create', 'self.posts.create', 'lorem.posts.create'];
const SOCKETS = { self: 1, lorem: 49, plain: 50 };
const BLOCK = 50;
type Kind = 'ours' | 'disabled' | 'handwritten';

/**
 * P1: REST create latency with one rule (public + self + a room) and 100 sockets ÷ the same app with
 * `enabled: false`. Beside it, for explanation, the physical limit: the disabled app plus the same three emits
 * written by hand to as many sockets. The three servers run at once and the sequential writes rotate between
 * them in blocks, so drift of the machine hits all alike.
 */
export async function p1(ctx: BenchContext): Promise<FigureResult> {
  const writes = ctx.quick ? 300 : 2000;
  const warmup = ctx.quick ? 30 : 200;
  const [ours, disabled, handwritten] = await Promise.all([
    startServer(ctx, 'ours', 'p1-ours'),
    startServer(ctx, 'disabled', 'p1-disabled'),
    startServer(ctx, 'handwritten', 'p1-handwritten'),
  ]);
  const servers: Record<Kind, ServerHandle> = { ours, disabled, handwritten };
  const kinds = Object.keys(servers) as Kind[];
  // One client process per emitting server, so each one's receipts are counted apart.
  const pools = { ours: await ClientPool.start(ctx, 1), handwritten: await ClientPool.start(ctx, 1) };
  try {
    const writers = Object.fromEntries(kinds.map((kind) => [kind, new Writer(servers[kind].url)])) as Record<Kind, Writer>;
    await Promise.all(kinds.map((kind) => writers[kind].openSession()));
    for (const kind of ['ours', 'handwritten'] as const) {
      const url = servers[kind].url;
      // ours: `self` is the writer's session; by hand: a room the writer's socket joins
      const self = kind === 'ours' ? { cookie: writers.ours.cookie } : { room: 'self' };
      const pool = pools[kind];
      await pool.connect({ url, count: SOCKETS.self, events: EVENTS, mode: 'count', ...self });
      await pool.connect({ url, count: SOCKETS.lorem, events: EVENTS, room: 'lorem', mode: 'count' });
      await pool.connect({ url, count: SOCKETS.plain, events: EVENTS, mode: 'count' });
    }
    const connected = await servers.ours.sockets();

    let seq = 0;
    for (let i = 0; i < warmup; i++) for (const kind of kinds) await writers[kind].create('posts', ++seq);
    await servers.ours.idle();
    await sleep(300);
    await Promise.all([pools.ours.drain(), pools.handwritten.drain()]);
    ctx.log(`P1: ${connected} sockets, ${warmup} warm-up writes each, now ${writes} timed writes each`);

    const ms: Record<Kind, number[]> = { ours: [], disabled: [], handwritten: [] };
    let order = kinds;
    while (ms.ours.length < writes) {
      for (const kind of order) {
        for (let i = 0; i < BLOCK && ms[kind].length < writes; i++) ms[kind].push((await writers[kind].create('posts', ++seq)).ms);
      }
      order = [...order.slice(1), order[0]];
    }

    const topQueries = { ours: await servers.ours.topQueries(6), disabled: await servers.disabled.topQueries(6) };
    const delivered = await collectDeliveries(pools.ours, () => servers.ours.idle(), writes * connected);
    const perWrite = Object.fromEntries(EVENTS.map((e) => [e, round((delivered[e] ?? 0) / writes, 2)]));
    const [pub, self, lorem] = EVENTS.map((e) => perWrite[e]);
    const note = `rule {public: built value, self: true, lorem: 'ipsum'}; receipts per write: public ${pub}/${connected}, self ${self}/${SOCKETS.self}, lorem ${lorem}/${SOCKETS.lorem}`;
    const label = `REST create, ${connected} sockets, ${writes} writes`;
    const byHand = 'ours ÷ the disabled app emitting the same three events by hand (afterChange + io.emit): the physical limit';
    return {
      rows: [
        ratioRow({ figure: 'P1', label: `${label} — median`, value: median(ms.ours), baseline: median(ms.disabled), unit: 'ms', goal: '≤ 1.05', note }, 1.05),
        ratioRow({ figure: 'P1', label: `${label} — p99`, value: percentile(ms.ours, 99), baseline: percentile(ms.disabled, 99), unit: 'ms', goal: '≤ 1.05' }, 1.05),
        infoRatioRow({ figure: 'P1', label: `${label} — median vs by hand`, value: median(ms.ours), baseline: median(ms.handwritten), unit: 'ms', note: byHand }),
        infoRatioRow({ figure: 'P1', label: `${label} — p99 vs by hand`, value: percentile(ms.ours, 99), baseline: percentile(ms.handwritten, 99), unit: 'ms' }),
      ],
      details: {
        sockets: connected,
        writes,
        warmup,
        ...Object.fromEntries(kinds.map((kind) => [kind, summary(ms[kind])])),
        receiptsPerWrite: perWrite,
        topQueries,
      },
    };
  } finally {
    await Promise.all([pools.ours.close(), pools.handwritten.close()]);
    await Promise.all(kinds.map((kind) => servers[kind].close()));
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
