import type { TestApp } from '../support/app.js';
import type { RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { RedisServer } from './support/redis-server.js';
import { closeCluster, forget, people, settleAll, startInstances, tab, titled, uniquePrefix, via } from './support/cluster.js';

/**
 * Issue 6, "done when" 1: three instances, one Redis, one PostgreSQL. Every target — public, a room, self, a user
 * room, access-aware `true` — reaches exactly the right sockets, exactly once, wherever they are connected, and
 * whichever instance handled the write. Run with the streams adapter (the default) and the classic pub/sub one.
 */
describe.each(['streams', 'pubsub'] as const)('three instances on one Redis (%s adapter)', (adapter) => {
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let A: TestApp, B: TestApp, C: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    apps = await startInstances(3, db.url, { redis: { url: redis.url, adapter, keyPrefix: uniquePrefix(`delivery-${adapter}`) } });
    [A, B, C] = apps;
    who = await people(A);
    // Admins on every instance (every access-aware write has a recipient on each); the owner's session has a tab
    // on A and one on C, and the owner also has a socket on B in another session (token only).
    s.adminA = await tab(A, who.admin);
    s.adminB = await tab(B, who.admin);
    s.adminC = await tab(C, who.admin);
    s.ownerA = await tab(A, who.owner);
    s.ownerC = await tab(C, who.owner);
    s.ownerTokenB = await tab(B, who.owner, { cookie: false });
    s.otherA = await tab(A, who.other);
    s.otherB = await tab(B, who.other);
    s.anonA = await tab(A, who.anonymous);
    s.anonB = await tab(B, who.anonymous);
    s.anonC = await tab(C, who.anonymous);
    for (const name of ['anonA', 'otherB', 'ownerC']) expect(await s[name].emitWithAck('join', 'lorem')).toEqual(['lorem']);
  });

  afterAll(async () => {
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  beforeEach(() => forget(all()));

  const exactly = (names: string[], count: (socket: RecordingSocket) => number) => {
    const got = Object.fromEntries(Object.entries(s).map(([name, socket]) => [name, count(socket)]));
    expect(got).toEqual(Object.fromEntries(Object.keys(s).map((name) => [name, names.includes(name) ? 1 : 0])));
  };

  it.each([0, 1, 2])('a post created on instance %i: public (built), lorem and self reach their sockets once', async (index) => {
    const writer = apps[index];
    const title = `post via ${index}`;
    const created = await via(who.owner, writer).post('/api/posts', { title });
    expect(created.status).toBe(201);
    await Promise.all(all().map((socket) => socket.waitFor('public.posts.create')));
    await s.ownerC.waitFor('self.posts.create');
    await s.otherB.waitFor('lorem.posts.create');
    await settleAll(apps, all());

    exactly(Object.keys(s), (socket) => titled(socket, 'public.posts.create', title).length);
    expect(s.adminC.named('public.posts.create')[0]).toMatchObject({ title, hello: 'world' });
    exactly(['anonA', 'otherB', 'ownerC'], (socket) => socket.named('lorem.posts.create').length);
    expect(s.anonA.named('lorem.posts.create')).toEqual(['ipsum']);
    exactly(['ownerA', 'ownerC'], (socket) => titled(socket, 'self.posts.create', title).length);
    expect(all().flatMap((socket) => socket.names()).filter((name) => !/^(public|lorem|self)\.posts\.create$/.test(name))).toEqual([]);
  });

  it('a user-room emit from one instance reaches every socket of that user, on every instance, once', async () => {
    C.realtime.toUser('users', who.owner.id!).emit('notice', { n: 1 });
    A.realtime.toUser('users', who.other.id!).emit('notice', { n: 2 });
    await Promise.all(['ownerA', 'ownerC', 'ownerTokenB', 'otherA', 'otherB'].map((name) => s[name].waitFor('notice')));
    await settleAll(apps, all());

    exactly(['ownerA', 'ownerC', 'ownerTokenB'], (socket) => socket.named('notice').filter((d) => (d as { n: number }).n === 1).length);
    exactly(['otherA', 'otherB'], (socket) => socket.named('notice').filter((d) => (d as { n: number }).n === 2).length);
  });

  it.each([0, 1, 2])('a note (public: true) written on instance %i reaches its owner and the admins only; secret to admins only', async (index) => {
    const title = `note via ${index}`;
    const created = await via(who.owner, apps[index]).post('/api/notes', { title, secret: 'only-admins' });
    expect(created.status).toBe(201);
    const recipients = ['adminA', 'adminB', 'adminC', 'ownerA', 'ownerC', 'ownerTokenB'];
    await Promise.all(recipients.map((name) => s[name].waitFor('public.notes.create')));
    await settleAll(apps, all());

    exactly(recipients, (socket) => titled(socket, 'public.notes.create', title).length);
    for (const name of ['adminA', 'adminB', 'adminC']) expect(s[name].named('public.notes.create')[0]).toMatchObject({ title, secret: 'only-admins' });
    for (const name of ['ownerA', 'ownerC', 'ownerTokenB']) {
      const [note] = s[name].named('public.notes.create') as Record<string, unknown>[];
      expect(note).toMatchObject({ title, owner: who.owner.id });
      expect(note).not.toHaveProperty('secret');
    }
  });

  it("an admin's note reaches the admins' sockets only, on every instance", async () => {
    const created = await via(who.admin, B).post('/api/notes', { title: 'admin note', secret: 'x' });
    expect(created.status).toBe(201);
    await Promise.all(['adminA', 'adminB', 'adminC'].map((name) => s[name].waitFor('public.notes.create')));
    await settleAll(apps, all());
    exactly(['adminA', 'adminB', 'adminC'], (socket) => titled(socket, 'public.notes.create', 'admin note').length);
  });
});
