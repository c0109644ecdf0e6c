import type { Socket } from 'socket.io';
import type { TestApp } from '../support/app.js';
import { HttpClient, connectSocket, waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp } from '../support/security-fixture.js';
import { checkpoint, disconnection, refusal, sleep } from './support/probes.js';

const RATE = 20; // the defaults: limits.eventsPerSecond and limits.burst
const BURST = 40;

/** Per server-side socket: packets that arrived on the wire, events the handler ran for, first/last arrival. */
const seen = new Map<string, { arrived: number; handled: number; first: number; last: number }>();
const counting = (socket: Socket) => {
  const entry = { arrived: 0, handled: 0, first: 0, last: 0 };
  seen.set(socket.id, entry);
  socket.conn.on('packet', (packet: { type: string }) => {
    if (packet.type !== 'message') return;
    entry.arrived += 1;
    entry.last = Date.now();
    entry.first ||= entry.last;
  });
  socket.on('spam', () => (entry.handled += 1));
  socket.on('echo', (data: unknown, ack?: (length: number) => void) => ack?.(typeof data === 'string' ? data.length : -1));
};

/** Hostile clients: floods, oversized messages, too many connections. The server stays up for everyone else. */
describe('inbound limits', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const sockets: RecordingSocket[] = [];
  const open = async (options: Parameters<typeof connectSocket>[1] = {}) => {
    const socket = await connectSocket(t.url, options);
    sockets.push(socket);
    return socket;
  };
  const createOpen = async () => {
    const created = await who.owner.http.post('/api/open?depth=0', { title: 'public|true' }, { Authorization: `JWT ${who.owner.token}` });
    expect(created.status).toBe(201);
    return created.body.doc.id;
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url, { limits: { connectionsPerSession: 2, connectionsPerUser: 3 }, onConnect: [counting] });
    who = await people(t);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('limits a client sending 10,000 events a second, while another keeps receiving every emit', async () => {
    const flooder = await open();
    const watcher = await open();
    const since = checkpoint([watcher]);
    let sent = 0;
    const flood = (async () => {
      for (let batch = 0; batch < 10; batch += 1) {
        for (let i = 0; i < 1000; i += 1) flooder.socket.emit('spam', i); // 10 × 1,000 in about a second
        sent += 1000;
        await sleep(100);
      }
    })();
    // Meanwhile: ten writes, each of which must reach the watcher (2 s each at most: "promptly", not "eventually").
    const ids: unknown[] = [];
    for (let i = 0; i < 10; i += 1) {
      ids.push(await createOpen());
      await watcher.waitFor('public.open.create', i + 1, 2000);
    }
    await flood;
    const stats = seen.get(flooder.socket.id!)!;
    await waitUntil(() => stats.arrived >= sent, 10_000, 'the whole flood to arrive');

    const seconds = (stats.last - stats.first) / 1000;
    expect(sent).toBe(10_000);
    expect(stats.arrived).toBe(sent);
    expect(stats.handled).toBeGreaterThanOrEqual(BURST); // the bucket starts full
    expect(stats.handled).toBeLessThanOrEqual(Math.ceil(RATE * (seconds + 0.5)) + BURST);
    const warnings = flooder.named('error');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1); // at most one a second
    expect(warnings[0]).toEqual({ message: `Rate limit exceeded: at most ${RATE} events per second (burst ${BURST}).` });
    expect(since(watcher).map((e) => (e.data as { id: unknown }).id)).toEqual(ids);

    // Throttled, not banned: once the bucket refills the flooder is served again.
    await sleep(1000);
    expect(await flooder.emitWithAck('echo', 'again')).toBe(5);
  });

  it.each(['websocket', 'polling'] as const)('refuses an oversized message (%s) by closing that client; the server stays up', async (transport) => {
    const big = await open({ transports: [transport] });
    const bystander = await open();
    expect(await big.emitWithAck('echo', 'x'.repeat(50_000))).toBe(50_000); // well under the 100 KB default
    const handledBefore = seen.get(big.socket.id!)!.handled;

    big.socket.emit('echo', 'x'.repeat(200_000));
    await disconnection(big);
    expect(seen.get(big.socket.id!)?.handled ?? handledBefore).toBe(handledBefore);

    const since = checkpoint([bystander]);
    const id = await createOpen();
    await t.settle([bystander]);
    expect(since(bystander)).toEqual([{ event: 'public.open.create', data: expect.objectContaining({ id }) }]);
    const newcomer = await open({ transports: [transport] });
    expect(await newcomer.emitWithAck('echo', 'still up')).toBe(8);
  });

  it('refuses the socket over connectionsPerSession, also when they all arrive at once', async () => {
    const http = new HttpClient(t.url);
    await http.get('/api/open');
    const cookie = http.cookieHeader;
    const first = await open({ cookie });
    await open({ cookie });
    expect(await refusal(t.url, { cookie })).toBe('Too many connections for this session (at most 2).');
    first.close();
    await waitUntil(() => t.realtime.namespace!.sockets.size === sockets.filter((s) => s.socket.connected).length);
    await open({ cookie }); // a freed place can be taken again

    const burst = new HttpClient(t.url);
    await burst.get('/api/open');
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => open({ cookie: burst.cookieHeader })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason.message).toBe('Too many connections for this session (at most 2).');
    }
  });

  it('refuses the socket over connectionsPerUser (across sessions), also when they all arrive at once', async () => {
    for (let i = 0; i < 3; i += 1) await open({ auth: { token: who.owner.token } });
    expect(await refusal(t.url, { auth: { token: who.owner.token } })).toBe('Too many connections for this user (at most 3).');
    await open(); // anonymous sockets are not anybody's

    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => open({ auth: { token: who.other.token } })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason.message).toBe('Too many connections for this user (at most 3).');
    }
  });
});
