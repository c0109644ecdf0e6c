import { ScaleOut } from '../../src/scale/scale-out.js';
import type { TestApp } from '../support/app.js';
import { waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { closeCluster, people, postTitles, settleAll, startInstances, tab, uniquePrefix, via } from './support/cluster.js';
import { RedisServer } from './support/redis-server.js';

/** Writes that must be committed in each phase before the next transition. */
const PER_PHASE = 15;
/** The writer's pace (one write at a time, so that commit order is the order of the titles). */
const PACE_MS = 40;

interface Order {
  received: number;
  /** Events that arrived after a later one (an overtaking): must be none. */
  outOfOrder: number;
  /** The first few of them, `n after m`. */
  examples: string[];
  duplicates: number;
  lost: number;
}

/** How `titles` (as received by one socket) relate to the commit order 0…committed-1. */
function order(titles: string[], committed: number): Order {
  const seen = new Set<number>();
  const examples: string[] = [];
  let outOfOrder = 0;
  let duplicates = 0;
  let highest = -1;
  for (const title of titles) {
    const n = Number(title.slice('order '.length));
    if (seen.has(n)) {
      duplicates += 1;
      continue;
    }
    seen.add(n);
    if (n < highest && ++outOfOrder <= 3) examples.push(`${n} after ${highest}`);
    highest = Math.max(highest, n);
  }
  return { received: seen.size, outOfOrder, examples, duplicates, lost: committed - seen.size };
}

/**
 * Issue 13, point 4: with Redis healthy, an instance delivers to its own sockets after the XADD; once Redis counts as
 * down, later emits went out at once and overtook the ones still waiting for Redis. A stream of writes through A
 * while Redis is SIGKILLed and restarted, then SIGSTOPped and SIGCONTed: every socket receives what it receives in
 * commit order (no overtaking), on A and on B. A's own sockets also lose nothing; what B's sockets miss while
 * Redis is away (A's emits cannot reach them) and any duplicate are counted and printed, not judged.
 */
describe('per-socket order while Redis goes away and comes back', () => {
  const logger = new CapturingLogger(/^Redis: /);
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let A: TestApp, B: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);
  const healthy = (t: TestApp) => t.app.get(ScaleOut, { strict: false }).healthy;

  beforeAll(async () => {
    process.on('unhandledRejection', recordUnhandled);
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    const options = { redis: { url: redis.url, keyPrefix: uniquePrefix('redis-order') }, recovery: { maxDisconnectionDuration: 60_000 } };
    apps = await startInstances(2, db.url, options, logger);
    [A, B] = apps;
    who = await people(A);
    for (const [name, t] of [['a1', A], ['a2', A], ['a3', A], ['b1', B], ['b2', B]] as const) s[name] = await tab(t, who.anonymous);
  });

  afterAll(async () => {
    process.off('unhandledRejection', recordUnhandled);
    redis?.thaw();
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  it('keeps commit order on every socket through a SIGKILL + restart and a SIGSTOP + SIGCONT of Redis', async () => {
    let committed = 0;
    let writing = true;
    const failures: string[] = [];
    const writer = (async () => {
      while (writing) {
        const title = `order ${String(committed).padStart(5, '0')}`;
        const created = await via(who.owner, A).post('/api/posts', { title });
        if (created.status === 201) committed += 1;
        else failures.push(`${title}: ${created.status}`);
        await new Promise((resolve) => setTimeout(resolve, PACE_MS)); // the writer's pace, not a wait
      }
    })();
    const next = async (what: string) => {
      const from = committed;
      await waitUntil(() => committed >= from + PER_PHASE || failures.length > 0, 30_000, `${PER_PHASE} writes ${what}`);
    };
    const phases: string[] = [];
    try {
      await next('with Redis healthy');
      await redis.kill();
      phases.push(`killed at ${committed}`);
      await waitUntil(() => apps.every((t) => !healthy(t)), 10_000, 'both instances to see Redis gone');
      await next('with Redis dead');
      await redis.restart();
      phases.push(`restarted at ${committed}`);
      await waitUntil(() => apps.every(healthy), 15_000, 'both instances to see Redis back');
      await next('after the restart');
      redis.freeze();
      phases.push(`frozen at ${committed}`);
      await waitUntil(() => apps.every((t) => !healthy(t)), 15_000, 'both instances to notice the stall');
      await next('with Redis frozen');
      redis.thaw();
      phases.push(`thawed at ${committed}`);
      await waitUntil(() => apps.every(healthy), 15_000, 'both instances to see Redis answer');
      await next('after the thaw');
    } finally {
      writing = false;
      await writer;
    }
    await settleAll(apps, all());

    const orders = Object.fromEntries(Object.entries(s).map(([name, socket]) => [name, order(postTitles(socket, 'order '), committed)]));
    console.log(`Redis transitions (${phases.join(', ')}; ${committed} writes): ${JSON.stringify(orders)}`);
    expect(failures).toEqual([]);
    expect(Object.fromEntries(Object.entries(orders).map(([name, o]) => [name, o.outOfOrder]))).toEqual(Object.fromEntries(Object.keys(s).map((name) => [name, 0])));
    // A's own sockets hear every write made through A, whatever Redis does.
    for (const name of ['a1', 'a2', 'a3']) expect([name, orders[name].lost]).toEqual([name, 0]);
    expect(all().every((socket) => socket.socket.connected)).toBe(true);
    expect(unhandled).toEqual([]);
  }, 180_000);
});
