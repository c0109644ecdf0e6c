import type { TestApp } from '../support/app.js';
import { waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { closeCluster, createPost, forget, people, postTitles, settleAll, settleLocal, startInstances, tab, titled, uniquePrefix, via } from './support/cluster.js';
import { RedisServer } from './support/redis-server.js';

const STALLED = /^Redis: no answer for 5 s/;
const ANSWERING = /^Redis: answering again/;

/**
 * A Redis that stops answering but keeps its connections open (SIGSTOP: a hung host, a partition that never resets
 * the socket). node-redis stays "ready", so without a watch every emit, local ones included, would wait behind the
 * silence for as long as it lasts. Each instance notices within seconds, logs it once, and delivers to its own
 * sockets at once, in order (what it had sent into the silence first); when Redis answers again, what was sent into
 * the silence reaches the other instance, each socket has everything once, and instances cross again.
 */
describe('Redis frozen under two running instances', () => {
  const logger = new CapturingLogger(STALLED);
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let A: TestApp, B: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);
  const post = (t: TestApp, title: string) => createPost(who.owner, t, title);

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    const options = { redis: { url: redis.url, keyPrefix: uniquePrefix('redis-stall') }, recovery: { maxDisconnectionDuration: 60_000 } };
    apps = await startInstances(2, db.url, options, logger);
    [A, B] = apps;
    who = await people(A);
    s.anonA = await tab(A, who.anonymous);
    s.adminA = await tab(A, who.admin);
    s.anonB = await tab(B, who.anonymous);
    s.adminB = await tab(B, who.admin);
  });

  afterAll(async () => {
    redis?.thaw();
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  it('crosses instances before the freeze (the control)', async () => {
    await post(A, 'before');
    await settleAll(apps, all());
    for (const socket of all()) expect(titled(socket, 'public.posts.create', 'before')).toHaveLength(1);
  });

  it('frozen: each instance notices within seconds, logs it once, and its own clients hear its writes at once', async () => {
    forget(all());
    redis.freeze();
    await post(A, 'early'); // sent into the silence before anyone can notice it
    await waitUntil(() => logger.matching('error', STALLED).length === apps.length, 10_000, 'both instances to report the stall');

    for (let i = 0; i < 3; i++) {
      await post(A, `stalled A${i}`);
      await post(B, `stalled B${i}`);
    }
    const note = await via(who.owner, B).post('/api/notes', { title: 'stalled note', secret: 's' });
    expect(note.status).toBe(201);
    await s.adminB.waitFor('public.notes.create');
    await settleLocal(apps, all());

    // The write made before the stall was noticed goes to A's own sockets once it is, before the later ones.
    for (const name of ['anonA', 'adminA']) expect(postTitles(s[name], '')).toEqual(['early', 'stalled A0', 'stalled A1', 'stalled A2']);
    for (const name of ['anonB', 'adminB']) expect(postTitles(s[name], 'stalled')).toEqual(['stalled B0', 'stalled B1', 'stalled B2']);
    expect(titled(s.adminB, 'public.notes.create', 'stalled note')).toEqual([expect.objectContaining({ secret: 's' })]);
    for (const name of ['anonA', 'adminA', 'anonB']) expect(s[name].named('public.notes.create')).toEqual([]);
    // On B it waits behind the silence (it is in Redis's hands).
    for (const name of ['anonB', 'adminB']) expect(titled(s[name], 'public.posts.create', 'early')).toEqual([]);
    expect(logger.matching('error', STALLED)).toHaveLength(apps.length); // once, not once per PING
  });

  it('thawed: the stall ends by itself, what waited reaches B, once everywhere, and instances cross again', async () => {
    redis.thaw();
    await waitUntil(() => logger.matching('log', ANSWERING).length === apps.length, 5_000, 'both instances to report Redis back');
    await settleAll(apps, all());
    for (const socket of all()) expect(titled(socket, 'public.posts.create', 'early')).toHaveLength(1);

    forget(all());
    await post(B, 'after');
    await via(who.owner, A).post('/api/notes', { title: 'after note' });
    await Promise.all([s.adminA.waitFor('public.notes.create'), s.adminB.waitFor('public.notes.create')]);
    await settleAll(apps, all());
    for (const socket of all()) expect(titled(socket, 'public.posts.create', 'after')).toHaveLength(1);
    for (const name of ['adminA', 'adminB']) expect(titled(s[name], 'public.notes.create', 'after note')).toHaveLength(1);
    for (const name of ['anonA', 'anonB']) expect(s[name].named('public.notes.create')).toEqual([]);
    expect(logger.matching('log', ANSWERING)).toHaveLength(apps.length);
  });
});
