import { createClient } from 'redis';
import { ScaleOut } from '../../src/scale/scale-out.js';
import type { TestApp } from '../support/app.js';
import type { RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { closeCluster, forget, people, settleAll, startInstances, tab, titled, uniquePrefix } from './support/cluster.js';
import { PAUSE, runPublisher } from './support/publisher-process.js';
import { RedisServer } from './support/redis-server.js';

/**
 * Issue 6, "done when" 2: a plain Node process with Payload's Local API only (the plugin in publishing mode, no Nest,
 * no Socket.IO server) writes; the socket servers apply the rules — the decorated `PostsRules` on exactly one
 * instance — and the access checks, and every client on every instance hears of it once.
 */
describe('writes from a process without a socket server', () => {
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let keyPrefix: string;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);
  const publish = (steps: Parameters<typeof runPublisher>[1], options?: Parameters<typeof runPublisher>[2]) =>
    runPublisher({ databaseUrl: db.url, redisUrl: redis.url, keyPrefix }, steps, options);

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    keyPrefix = uniquePrefix('publisher');
    apps = await startInstances(3, db.url, { redis: { url: redis.url, keyPrefix } });
    const [A, B, C] = apps;
    who = await people(A);
    s.adminA = await tab(A, who.admin);
    s.adminC = await tab(C, who.admin);
    s.ownerB = await tab(B, who.owner);
    s.otherA = await tab(A, who.other);
    s.otherC = await tab(C, who.other);
    s.anonB = await tab(B, who.anonymous);
    expect(await s.otherC.emitWithAck('join', 'lorem')).toEqual(['lorem']);
  });

  afterAll(async () => {
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  beforeEach(() => forget(all()));

  it('a post created through the Local API elsewhere reaches every client on every instance, once', async () => {
    const [id] = await publish([{ collection: 'posts', data: { title: 'from a worker' } }]);
    await Promise.all(all().map((socket) => socket.waitFor('public.posts.create', 1, 10_000)));
    await s.otherC.waitFor('lorem.posts.create');
    await settleAll(apps, all());

    for (const socket of all()) {
      // The decorated rule ran (`hello: 'world'`) on one instance only: one event per client, not one per instance.
      expect(titled(socket, 'public.posts.create', 'from a worker')).toEqual([expect.objectContaining({ id, hello: 'world' })]);
      expect(socket.named('public.posts.create')).toHaveLength(1);
    }
    expect(s.otherC.named('lorem.posts.create')).toEqual(['ipsum']);
    // No request, no session behind a worker's write: nobody is "self"; only members of lorem hear "lorem".
    expect(all().flatMap((socket) => socket.names()).filter((name) => !/^public\.posts\.create$/.test(name))).toEqual(['lorem.posts.create']);
  });

  it("a worker's writes in a row reach every client once each, in the order they were made", async () => {
    const titles = Array.from({ length: 10 }, (_, i) => `batch ${i}`);
    await publish(titles.map((title) => ({ collection: 'posts' as const, data: { title } })));
    await Promise.all(all().map((socket) => socket.waitFor('public.posts.create', 10, 10_000)));
    await settleAll(apps, all());
    for (const socket of all()) expect(socket.named('public.posts.create').map((d) => (d as { title: string }).title)).toEqual(titles);
  });

  it("a worker's note (written as the owner) reaches the owner and the admins only; secret to admins only", async () => {
    await publish([{ collection: 'notes', data: { title: 'worker note', secret: 'classified' }, asUser: who.owner.id }]);
    const recipients = ['adminA', 'adminC', 'ownerB'];
    await Promise.all(recipients.map((name) => s[name].waitFor('public.notes.create', 1, 10_000)));
    await settleAll(apps, all());

    for (const [name, socket] of Object.entries(s)) {
      expect([name, titled(socket, 'public.notes.create', 'worker note').length]).toEqual([name, recipients.includes(name) ? 1 : 0]);
      expect([name, socket.names()]).toEqual([name, recipients.includes(name) ? ['public.notes.create'] : []]);
    }
    expect(s.adminA.named('public.notes.create')[0]).toMatchObject({ secret: 'classified', owner: who.owner.id });
    expect(s.ownerB.named('public.notes.create')[0]).toMatchObject({ title: 'worker note', owner: who.owner.id });
    expect(s.ownerB.named('public.notes.create')[0]).not.toHaveProperty('secret');
  });

  // Last: it shuts an instance down.
  it('a worker that lives on: when the instance speaking for it shuts down, another one takes over its next write at once', async () => {
    const closeOwner = async () => {
      // The instance that ran the worker's rules holds its lease in Redis (renewed per message, 30 s).
      const client = createClient({ url: redis.url });
      await client.connect();
      const [lease] = await client.keys(`${keyPrefix}:owner:*`);
      const ownerId = lease ? await client.get(lease) : null;
      await client.quit();
      const owner = apps.find((t) => t.app.get(ScaleOut, { strict: false }).bus!.instanceId === ownerId);
      if (!owner) throw new Error(`no instance holds the worker's lease (${lease} → ${ownerId})`);
      for (const [name, socket] of Object.entries(s)) {
        if (owner.realtime.namespace!.sockets.has(socket.socket.id!)) {
          socket.close();
          delete s[name];
        }
      }
      apps = apps.filter((t) => t !== owner);
      await owner.close();
    };
    await publish([{ collection: 'posts', data: { title: 'before the deploy' } }, PAUSE, { collection: 'posts', data: { title: 'after the deploy' } }], {
      onPause: async () => {
        await Promise.all(all().map((socket) => socket.waitFor('public.posts.create', 1, 10_000)));
        await closeOwner();
        forget(all());
      },
    });
    // Well inside the 30 s a lease lasts when its holder dies without letting go.
    await Promise.all(all().map((socket) => socket.waitFor('public.posts.create', 1, 5_000)));
    await settleAll(apps, all());
    expect(apps).toHaveLength(2);
    expect(all().length).toBeGreaterThanOrEqual(3);
    for (const socket of all()) expect(socket.named('public.posts.create').map((d) => (d as { title: string }).title)).toEqual(['after the deploy']);
  });
});
