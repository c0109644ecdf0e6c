import type { TestApp } from '../support/app.js';
import { waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { closeCluster, heardTitle, people, probeUntil, settleAll, startInstances, tab, titled, uniquePrefix, via } from './support/cluster.js';
import { runPublisher } from './support/publisher-process.js';
import { RedisServer } from './support/redis-server.js';
import { scaled } from '../support/timing.js';

/**
 * Redis down when the processes start (a deploy during a Redis outage): the socket servers and a publishing process
 * still boot and serve writes — the servers with local delivery — and the servers join up once Redis answers.
 */
describe('Redis unreachable at boot', () => {
  const logger = new CapturingLogger(/^Redis: /);
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let keyPrefix: string;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);

  beforeAll(async () => {
    redis = await RedisServer.start();
    await redis.kill(); // its port stays ours: nothing else listens there meanwhile
    db = await freshDatabase('postgres');
    keyPrefix = uniquePrefix('down-at-boot');
    apps = await startInstances(2, db.url, { redis: { url: redis.url, keyPrefix }, recovery: { maxDisconnectionDuration: 60_000 } }, logger);
    who = await people(apps[0]);
    s.adminA = await tab(apps[0], who.admin);
    s.adminB = await tab(apps[1], who.admin);
  });

  afterAll(async () => {
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  it('boots, serves writes and delivers locally; a publishing process boots, writes and exits', async () => {
    const [A, B] = apps;
    expect((await via(who.owner, A).post('/api/posts', { title: 'down A' })).status).toBe(201);
    expect((await via(who.owner, B).post('/api/notes', { title: 'down B' })).status).toBe(201);
    await s.adminA.waitFor('public.posts.create');
    await s.adminB.waitFor('public.notes.create');
    // Its write waits for Redis; at `payload.destroy()` the process gives it up after 10 s, logs it, and exits.
    expect(await runPublisher({ databaseUrl: db.url, redisUrl: redis.url, keyPrefix }, [{ collection: 'posts', data: { title: 'worker' } }])).toHaveLength(1);
    expect(logger.matching('error', /^Redis: /).length).toBeGreaterThan(0);
  });

  it('joins the cluster once Redis answers, without a restart', async () => {
    await redis.restart();
    const [A, B] = apps;
    const deadline = Date.now() + scaled(10_000);
    // Every path between the two, each probed until it works: broadcasts (stream) and access-aware notes (bus).
    for (const [from, to, kind] of [[A, s.adminB, 'posts'], [B, s.adminA, 'posts'], [A, s.adminB, 'notes'], [B, s.adminA, 'notes']] as const) {
      const prefix = `up ${kind} from ${from === A ? 'A' : 'B'}`;
      await probeUntil(deadline, prefix, async (n) => {
        expect((await via(who.owner, from).post(`/api/${kind}`, { title: `${prefix} ${n}` })).status).toBe(201);
      }, () => heardTitle(to, `public.${kind}.create`, prefix));
    }
    // Then exactly once again.
    expect((await via(who.owner, B).post('/api/notes', { title: 'up note' })).status).toBe(201);
    await waitUntil(() => all().every((socket) => titled(socket, 'public.notes.create', 'up note').length > 0), 5000, 'the note on both instances');
    await settleAll(apps, all());
    for (const socket of all()) expect(titled(socket, 'public.notes.create', 'up note')).toHaveLength(1);
    // What was written while Redis was away stayed where it was written (at-most-once), and is not sent again.
    expect(titled(s.adminA, 'public.posts.create', 'down A')).toHaveLength(1);
    expect(titled(s.adminB, 'public.notes.create', 'down B')).toHaveLength(1);
  });
});
