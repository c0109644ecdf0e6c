import type { TestApp } from '../support/app.js';
import type { RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { closeCluster, people, startInstances, tab, uniquePrefix, via } from './support/cluster.js';
import { RedisServer } from './support/redis-server.js';

/**
 * `keyPrefix` keeps apps that share one Redis apart: two instances of app X and one of app Y (own database, own
 * prefix) on the same Redis. Nothing of X reaches Y — broadcasts (stream), the adapter's pub/sub requests
 * (`fetchSockets`, `serverSideEmit`), access-aware deliveries (cluster bus) — and X still works as one.
 */
describe.each(['streams', 'pubsub'] as const)('two apps on one Redis, apart by keyPrefix (%s adapter)', (adapter) => {
  let redis: RedisServer;
  const dbs: TestDatabase[] = [];
  let X: TestApp[] = [];
  let Y: TestApp[] = [];
  const sockets: RecordingSocket[] = [];
  let x1: RecordingSocket, x2: RecordingSocket, y: RecordingSocket;
  let whoX: Awaited<ReturnType<typeof people>>, whoY: Awaited<ReturnType<typeof people>>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    for (const name of ['x', 'y']) dbs.push(await freshDatabase('postgres'));
    X = await startInstances(2, dbs[0].url, { redis: { url: redis.url, adapter, keyPrefix: uniquePrefix('app-x') } });
    Y = await startInstances(1, dbs[1].url, { redis: { url: redis.url, adapter, keyPrefix: uniquePrefix('app-y') } });
    [whoX, whoY] = [await people(X[0]), await people(Y[0])];
    // Admins (the note below reaches admins only) on X's second instance and on Y.
    sockets.push((x1 = await tab(X[0], whoX.anonymous)), (x2 = await tab(X[1], whoX.admin)), (y = await tab(Y[0], whoY.admin)));
  });

  afterAll(async () => {
    await closeCluster({ sockets, apps: [...X, ...Y], redis, dbs });
  });

  it('broadcasts and access-aware deliveries of X stay within X (and cross X\'s instances)', async () => {
    expect((await via(whoX.owner, X[0]).post('/api/posts', { title: 'x post' })).status).toBe(201);
    expect((await via(whoX.owner, X[0]).post('/api/notes', { title: 'x note' })).status).toBe(201);
    expect((await via(whoY.owner, Y[0]).post('/api/posts', { title: 'y post' })).status).toBe(201);
    await Promise.all([x1.waitFor('public.posts.create'), x2.waitFor('public.notes.create'), y.waitFor('public.posts.create')]);
    // Each app's barrier reaches its own sockets only (it is the very thing under test).
    for (const t of X) await t.settle([x1, x2]);
    await Y[0].settle([y]);
    const titles = (socket: RecordingSocket) => socket.events.filter((e) => !e.event.startsWith('__')).map((e) => `${e.event}: ${(e.data as { title: string }).title}`);
    expect([titles(x1), titles(x2), titles(y)]).toEqual([
      ['public.posts.create: x post'],
      ['public.posts.create: x post', 'public.notes.create: x note'],
      ['public.posts.create: y post'],
    ]);
  });

  it("X's fetchSockets lists the sockets of X's instances, none of Y's", async () => {
    const ids = (await X[0].realtime.namespace!.fetchSockets()).map((socket) => socket.id).sort();
    expect(ids).toEqual([x1.socket.id, x2.socket.id].sort());
    const fromY = (await Y[0].realtime.namespace!.fetchSockets()).map((socket) => socket.id);
    expect(fromY).toEqual([y.socket.id]);
  });

  it("X's serverSideEmit reaches X's other instance, not Y", async () => {
    const heard: string[] = [];
    for (const [name, t] of [['x2', X[1]], ['y', Y[0]]] as const) t.realtime.namespace!.on('ping-cluster', () => heard.push(name));
    X[0].realtime.namespace!.serverSideEmit('ping-cluster');
    // Y would hear it at the same time as X's other instance: wait for that one, then a round trip through Redis.
    await new Promise<void>((resolve) => {
      const check = () => (heard.includes('x2') ? resolve() : setTimeout(check, 10));
      check();
    });
    await X[0].realtime.namespace!.fetchSockets();
    expect(heard).toEqual(['x2']);
  });
});
