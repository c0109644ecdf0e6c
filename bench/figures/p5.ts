import { join } from 'node:path';
import { ClientPool } from '../lib/client-pool.js';
import type { BenchContext } from '../lib/context.js';
import { SeriesRecorder, newSeq, timedEvent, type Send, type Series } from '../lib/events.js';
import { RedisServer } from '../../test/scale/support/redis-server.js'; // the scale tests' throw-away redis-server
import { startServer, type ServerHandle } from '../lib/servers.js';
import { round, sleep } from '../lib/stats.js';
import { ratioRow, type FigureResult, type Row } from '../lib/types.js';
import { Writer } from '../lib/writer.js';

const BUILT = 'public.feed.create';
const WARMUP = 3;

/**
 * P5: cross-instance delivery through Redis ÷ one instance. Two of our servers share one Redis (the module's
 * `redis` option: the Redis Streams adapter) and one SQLite file; the sockets are on B, the writes go to A, so
 * every event crosses Redis. Baseline: a plain single instance (no Redis) holding as many sockets, written to
 * directly. Both hold their sockets at once and the events alternate, as in P2; same `public` built-value rule.
 */
export async function p5(ctx: BenchContext): Promise<FigureResult> {
  const sockets = Math.min(1000, ctx.maxSocketsPerProcess);
  const events = ctx.quick ? 15 : 30;
  const redis = await RedisServer.start();
  const servers: ServerHandle[] = [];
  let pool: ClientPool | undefined;
  try {
    const shared = { redis: redis.url, redisKeyPrefix: 'nps-bench-p5', dbFile: join(ctx.tmp, 'p5-shared.db') };
    // One after the other: the first pushes the schema, the second finds it in place.
    const a = await startServer(ctx, 'ours', 'p5-a', shared);
    servers.push(a);
    const b = await startServer(ctx, 'ours', 'p5-b', shared);
    servers.push(b);
    const single = await startServer(ctx, 'ours', 'p5-single');
    servers.push(single);
    pool = await ClientPool.start(ctx, 2);
    const shares = [Math.ceil(sockets / 2), Math.floor(sockets / 2)];
    for (const p of [0, 1]) {
      await pool.connectTo(p, { url: b.url, count: shares[p], events: [BUILT] });
      await pool.connectTo(p, { url: single.url, count: shares[p], events: [BUILT] });
    }
    for (const [server, expected] of [[a, 0], [b, sockets], [single, sockets]] as const) {
      const seen = await server.sockets();
      if (seen !== expected) throw new Error(`P5: a server sees ${seen} of ${expected} sockets`);
    }

    const writerA = new Writer(a.url);
    const writerSingle = new Writer(single.url);
    await Promise.all([writerA.openSession(), writerSingle.openSession()]);
    const cross: Send = async (n) => (await writerA.create('feed', n)).doc.committedAt as number;
    const local: Send = async (n) => (await writerSingle.create('feed', n)).doc.committedAt as number;
    await Promise.all([writerA.create('feed', newSeq()), writerSingle.create('feed', newSeq())]);
    await sleep(500); // the first receipts (and Redis's first stream reads) land before anything is timed

    const crossing = new SeriesRecorder();
    const baseline = new SeriesRecorder();
    for (let i = 0; i < WARMUP + events; i++) {
      const x = await timedEvent(pool, cross, shares);
      const y = await timedEvent(pool, local, shares);
      if (i < WARMUP) continue;
      crossing.add(x);
      baseline.add(y);
    }
    const [ours, one] = [crossing.result(), baseline.result()];
    ctx.log(`P5 ${sockets} sockets, every receipt p50/p99: cross-instance ${round(ours.all.p50)}/${round(ours.all.p99)} ms, one instance ${round(one.all.p50)}/${round(one.all.p99)} ms`);
    const label = `cross-instance commit → receipt, ${sockets.toLocaleString('en')} sockets × ${events} events`;
    const rows: Row[] = [
      ratioRow({ figure: 'P5', label: `${label} — p99`, value: ours.all.p99, baseline: one.all.p99, unit: 'ms', goal: '≤ 1.5', note: note(ours, one) }, 1.5),
      { ...ratioRow({ figure: 'P5', label: `${label} — p50`, value: ours.all.p50, baseline: one.all.p50, unit: 'ms', goal: '(info)' }, Infinity), pass: undefined },
    ];
    return { rows, details: { sockets, events, crossInstance: ours, oneInstance: one, adapter: 'redis streams (module default)' } };
  } finally {
    await pool?.close();
    await Promise.all(servers.map((server) => server.close()));
    await redis.stop();
  }
}

const note = (ours: Series, one: Series): string =>
  [
    'writes to instance A, sockets on instance B (Redis Streams adapter, one SQLite file); baseline: plain single instance without Redis, same sockets and rule (public built value)',
    `last receipt median: cross ${round(ours.lastMedian)} ms, one instance ${round(one.lastMedian)} ms`,
    ...(ours.missing || one.missing ? [`missed receipts: cross ${ours.missing}, one instance ${one.missing}`] : []),
  ].join('; ');
