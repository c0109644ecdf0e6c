import type { EventEmitter } from 'node:events';
import { ScaleOut } from '../../src/scale/scale-out.js';
import type { TestApp } from '../support/app.js';
import { waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { closeCluster, createPost, forget, heardTitle, people, postTitles, probeUntil, settleAll, settleLocal, startInstances, tab, titled, uniquePrefix, via } from './support/cluster.js';
import { RedisServer } from './support/redis-server.js';
import { scaled } from '../support/timing.js';

const REDIS_ERROR = /^Redis: /;

/**
 * Issue 6, "done when" 4: the real Redis process is SIGKILLed mid-run. Writes keep succeeding and each instance's own
 * clients keep hearing its emits (not queued behind the dead connection); the error is logged once per interval, not
 * once per retry; when Redis is back on the same port, cross-instance delivery resumes within 10 s by itself.
 */
describe('Redis killed and restarted under two running instances', () => {
  const logger = new CapturingLogger(REDIS_ERROR);
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let A: TestApp, B: TestApp, C: TestApp | undefined;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);
  // A rejected promise nobody handles (in the adapter or the module) ends a Node process: there must be none.
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);
  const scaleOf = (t: TestApp) => t.app.get(ScaleOut, { strict: false });
  const post = (t: TestApp, title: string) => createPost(who.owner, t, title);

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    process.on('unhandledRejection', recordUnhandled);
    // Recovery on, as in the sample: the adapter then also stores sessions in Redis on every drop.
    const options = { redis: { url: redis.url, keyPrefix: uniquePrefix('redis-fault') }, recovery: { maxDisconnectionDuration: 60_000 } };
    apps = await startInstances(2, db.url, options, logger);
    [A, B] = apps;
    [C] = await startInstances(1, db.url, options, logger);
    who = await people(A);
    s.anonA = await tab(A, who.anonymous);
    s.anonB = await tab(B, who.anonymous);
    s.adminA = await tab(A, who.admin);
    s.adminB = await tab(B, who.admin);
    s.anonC = await tab(C!, who.anonymous);
  });

  afterAll(async () => {
    process.off('unhandledRejection', recordUnhandled);
    await closeCluster({ sockets: all(), apps: [...apps, C], redis, dbs: [db] });
  });

  it('crosses instances before the fault (the control)', async () => {
    await post(A, 'before');
    await s.anonB.waitFor('public.posts.create');
    await settleAll(apps, all());
    for (const socket of all()) expect(titled(socket, 'public.posts.create', 'before')).toHaveLength(1);
  });

  it('while Redis is dead: writes succeed, local clients hear their instance, one error line per instance', async () => {
    const errorEvents = apps.map(() => 0);
    apps.forEach((t, i) => {
      // The module's command connection: node-redis reports every failed reconnection attempt on it.
      const main = (scaleOf(t) as unknown as { redis: { main: EventEmitter } }).redis.main;
      main.on('error', () => (errorEvents[i] += 1));
    });
    const logged = logger.matching('error', REDIS_ERROR).length;
    forget(all());
    // Killed mid-run: writes keep coming on both instances, before, during and after the kill.
    const burst = (async () => {
      for (let i = 0; i < 20; i++) {
        if (i === 5) void redis.kill();
        await Promise.all([post(A, `burst A${String(i).padStart(2, '0')}`), post(B, `burst B${String(i).padStart(2, '0')}`)]);
      }
    })();
    await burst;
    await waitUntil(() => apps.every((t) => !scaleOf(t).healthy), 5000, 'both instances to see Redis gone');
    await settleLocal(apps, all());
    const burstOf = (side: string) => Array.from({ length: 20 }, (_, i) => `burst ${side}${String(i).padStart(2, '0')}`);
    for (const name of ['anonA', 'adminA']) expect(postTitles(s[name], 'burst A')).toEqual(burstOf('A'));
    for (const name of ['anonB', 'adminB']) expect(postTitles(s[name], 'burst B')).toEqual(burstOf('B'));
    forget(all());

    for (let i = 0; i < 5; i++) {
      await post(A, `outage A${i}`);
      await post(B, `outage B${i}`);
    }
    const note = await via(who.owner, A).post('/api/notes', { title: 'outage note', secret: 's' });
    expect(note.status).toBe(201);
    B.realtime.toUser('users', who.admin.id!).emit('notice', 'from B');
    await s.adminA.waitFor('public.notes.create');
    await s.adminB.waitFor('notice');
    await settleLocal(apps, all());

    for (const name of ['anonA', 'adminA']) {
      expect(s[name].named('public.posts.create').map((d) => (d as { title: string }).title)).toEqual(['outage A0', 'outage A1', 'outage A2', 'outage A3', 'outage A4']);
    }
    for (const name of ['anonB', 'adminB']) {
      expect(s[name].named('public.posts.create').map((d) => (d as { title: string }).title)).toEqual(['outage B0', 'outage B1', 'outage B2', 'outage B3', 'outage B4']);
    }
    expect(titled(s.adminA, 'public.notes.create', 'outage note')).toEqual([expect.objectContaining({ secret: 's' })]);
    expect(s.adminB.named('notice')).toEqual(['from B']);

    // A client that drops now comes back (it cannot be recovered without Redis) and hears its instance again.
    const { socket } = s.anonA;
    socket.io.engine.close();
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
      socket.connect();
    });
    forget([s.anonA]);
    await post(A, 'outage after reconnect');
    await s.anonA.waitFor('public.posts.create');

    // An instance shut down now (a deploy during the outage) closes without waiting for Redis; its socket is told.
    const closing = s.anonC;
    delete s.anonC;
    await C!.close();
    C = undefined;
    await waitUntil(() => !closing.socket.connected, 5000, 'the closed instance to drop its socket');

    // Keep Redis down long enough for several reconnection attempts, then count what was logged.
    await waitUntil(() => errorEvents.every((n) => n >= 3), 10_000, 'several failed reconnection attempts per instance');
    expect(logger.matching('error', REDIS_ERROR).length - logged).toBe(apps.length + 1); // C logged too, before closing
  });

  it('once Redis is back on the same port, cross-instance delivery resumes within 10 s without restarting the apps', async () => {
    forget(all());
    await redis.restart();
    const deadline = Date.now() + scaled(10_000);
    // Every path between the two, each probed until it works: broadcasts (stream) and access-aware notes (bus).
    for (const [from, to, kind] of [[A, s.adminB, 'posts'], [B, s.adminA, 'posts'], [A, s.adminB, 'notes'], [B, s.adminA, 'notes']] as const) {
      const prefix = `probe ${kind} from ${from === A ? 'A' : 'B'}`;
      await probeUntil(deadline, prefix, async (n) => {
        expect((await via(who.owner, from).post(`/api/${kind}`, { title: `${prefix} ${n}` })).status).toBe(201);
      }, () => heardTitle(to, `public.${kind}.create`, prefix));
    }
    expect(apps.every((t) => scaleOf(t).healthy)).toBe(true);

    // And exactly once again, both ways, for every kind of target.
    forget(all());
    await post(B, 'after');
    await via(who.owner, B).post('/api/notes', { title: 'after note' });
    A.realtime.toUser('users', who.admin.id!).emit('notice', 'after');
    await Promise.all([s.anonA.waitFor('public.posts.create'), s.adminA.waitFor('public.notes.create'), s.adminB.waitFor('notice')]);
    await settleAll(apps, all());
    for (const socket of all()) expect(titled(socket, 'public.posts.create', 'after')).toHaveLength(1);
    for (const name of ['adminA', 'adminB']) expect(titled(s[name], 'public.notes.create', 'after note')).toHaveLength(1);
    for (const name of ['anonA', 'anonB']) expect(s[name].named('public.notes.create')).toEqual([]);
    for (const name of ['adminA', 'adminB']) expect(s[name].named('notice')).toEqual(['after']);
    expect(unhandled).toEqual([]);
  });
});
