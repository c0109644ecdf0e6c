import type { TestApp } from '../support/app.js';
import { waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { closeCluster, people, startInstances, tab, type InstanceOptions, uniquePrefix, via } from './support/cluster.js';
import { RedisServer } from './support/redis-server.js';

const CUT_MS = 2_000;
const titles = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix} ${i}`);

/**
 * Issue 6, "done when" 3: a client whose connection drops for 2 s while 10 posts are created gets all 10, in order,
 * once each, when it comes back — to the same instance or to another one (Redis Streams adapter + Socket.IO's
 * connection state recovery). Without `recovery` it gets none of them: at-most-once by default.
 */
describe.each([
  ['with recovery', { recovery: { maxDisconnectionDuration: 60_000 } }],
  ['without recovery', {}],
] as [string, Partial<InstanceOptions>][])('a 2 s network drop, %s', (name, extra) => {
  const recovers = 'recovery' in extra;
  let redis: RedisServer;
  let db: TestDatabase;
  let apps: TestApp[] = [];
  let A: TestApp, B: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    apps = await startInstances(2, db.url, { redis: { url: redis.url, keyPrefix: uniquePrefix(`recovery-${recovers}`) }, ...extra });
    [A, B] = apps;
    who = await people(A);
  });

  afterAll(async () => {
    await closeCluster({ sockets: sockets, apps, redis, dbs: [db] });
  });

  /**
   * Connects to A, drops the transport (no Socket.IO disconnect packet: a network failure, not a goodbye), writes
   * 10 posts through B while the server knows the socket is gone, and reconnects to `back` after CUT_MS.
   */
  async function dropWhileWriting(back: TestApp, prefix: string, { live = true } = {}): Promise<RecordingSocket> {
    const recording = await tab(A, who.anonymous);
    sockets.push(recording);
    const { socket } = recording;
    const id = socket.id!;
    if (live) {
      // A client that has been live for a while has heard something: the offset it will resume from.
      expect((await via(who.owner, A).post('/api/posts', { title: `${prefix} before` })).status).toBe(201);
      await recording.waitFor('public.posts.create');
    } else if (recovers) {
      // Heard no application event: only the module's mark that gives every new socket a recovery offset.
      await recording.waitFor('payload-socket:ready');
    }
    const cutAt = Date.now();
    socket.io.engine.close();
    await waitUntil(() => !A.realtime.namespace!.sockets.has(id), 5000, 'A to notice the drop');
    expect(socket.connected).toBe(false);
    for (const title of titles(prefix)) expect((await via(who.owner, B).post('/api/posts', { title })).status).toBe(201);
    expect(socket.connected).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + CUT_MS - Date.now())));
    (socket.io as unknown as { uri: string }).uri = back.url; // the load balancer may send the reconnect elsewhere
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
      socket.connect();
    });
    expect(back.realtime.namespace!.sockets.has(socket.id!)).toBe(true);
    return recording;
  }

  const created = (socket: RecordingSocket, prefix: string) =>
    socket
      .named('public.posts.create')
      .map((data) => (data as { title: string }).title)
      .filter((title) => title.startsWith(`${prefix} `) && !title.endsWith(' before'));

  it.each([
    ['the same instance', 0, true],
    ['another instance', 1, true],
    // Socket.IO resumes from the last offset the client saw, and only broadcasts carry one: a socket that drops
    // before its first event is recovered only if the module hands each new socket an offset on connect.
    ['the same instance, having heard nothing before the drop', 0, false],
  ])('reconnecting to %s', async (where, index, live) => {
    const back = apps[index];
    const prefix = `${name} → ${where}`;
    const socket = await dropWhileWriting(back, prefix, { live });
    if (recovers) {
      expect(socket.socket.recovered).toBe(true);
      await waitUntil(() => created(socket, prefix).length >= 10, 5000, 'the 10 missed posts');
    }
    for (const t of apps) await t.settle([socket]);
    expect(created(socket, prefix)).toEqual(recovers ? titles(prefix) : []);
    if (!recovers) expect(Boolean(socket.socket.recovered)).toBe(false);
  });
});
