import type { TestApp } from '../support/app.js';
import type { RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { closeCluster, people, postTitles, settleAll, startInstances, tab, uniquePrefix } from './support/cluster.js';
import { PAUSE, runPublisher } from './support/publisher-process.js';
import { RedisServer } from './support/redis-server.js';

/**
 * A worker keeps writing while Redis is killed and restarted: its writes are stored at once, and its operations wait
 * in the worker, in order, until a socket server hears them again (after the restart the worker may reconnect
 * before any server has subscribed again). Every client then gets every write once, in the order written.
 */
describe('writes of a process without a socket server, across a Redis restart', () => {
  const logger = new CapturingLogger(/^Redis: /); // the outage is provoked: its error lines are expected
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  const keyPrefix = uniquePrefix('publisher-outage');
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    apps = await startInstances(2, db.url, { redis: { url: redis.url, keyPrefix } }, logger);
    const who = await people(apps[0]);
    s.anonA = await tab(apps[0], who.anonymous);
    s.adminA = await tab(apps[0], who.admin);
    s.anonB = await tab(apps[1], who.anonymous);
    s.adminB = await tab(apps[1], who.admin);
  });

  afterAll(async () => {
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  it('writes made while Redis is down reach every client once, in order, after it is back', async () => {
    const post = (title: string) => ({ collection: 'posts' as const, data: { title } });
    const pauses = [
      async () => {
        await Promise.all(all().map((socket) => socket.waitFor('public.posts.create', 1, 10_000)));
        await redis.kill();
      },
      () => redis.restart(),
    ];
    const ids = await runPublisher(
      { databaseUrl: db.url, redisUrl: redis.url, keyPrefix },
      [post('before'), PAUSE, post('during 0'), post('during 1'), post('during 2'), PAUSE, post('after')],
      { onPause: () => pauses.shift()!() },
    );
    expect(ids).toHaveLength(5); // stored at once, Redis or not

    const written = ['before', 'during 0', 'during 1', 'during 2', 'after'];
    await Promise.all(all().map((socket) => socket.waitFor('public.posts.create', written.length, 15_000)));
    await settleAll(apps, all());
    for (const socket of all()) expect(postTitles(socket, '')).toEqual(written);
  });
});
