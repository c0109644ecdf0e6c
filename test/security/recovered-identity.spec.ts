import { io } from 'socket.io-client';
import type { TestApp } from '../support/app.js';
import { HttpClient, RecordingSocket, waitUntil } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp, type Person } from '../support/security-fixture.js';
import { sessionIdOf } from '../gateway/support.js';
import { checkpoint, identityOf } from './support/probes.js';

/**
 * Missed-event recovery restores a socket's data and rooms from before the drop. Its identity and the module's
 * rooms must come from the credential it reconnects with, not from that snapshot: a token logged out while the
 * connection was down buys nothing (no user, no user room), a still valid one keeps both.
 */
describe('identity after connection state recovery', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const clients: RecordingSocket[] = [];

  /** A second login of the owner, and a socket on it that reconnects by itself (and so can be recovered). */
  const ownerTab = async (): Promise<{ person: Person; socket: RecordingSocket }> => {
    const http = new HttpClient(t.url);
    const login = await http.post('/api/users/login', { email: 'owner@test.io', password: 'pw-owner' });
    const person: Person = { name: 'owner-tab', http, token: login.body.token, id: login.body.user.id };
    const client = io(t.url, { transports: ['websocket'], auth: { token: person.token }, extraHeaders: { cookie: http.cookieHeader }, reconnectionDelay: 50, forceNew: true });
    const socket = new RecordingSocket(client);
    clients.push(socket);
    await waitUntil(() => client.connected, 5000, 'the owner tab to connect');
    return { person, socket };
  };
  /** Drops the transport from the client side (like a network blip) and waits for the recovered reconnection. */
  const blip = async (socket: RecordingSocket) => {
    const before = socket.socket.id;
    await t.settle([socket]); // a client asks for recovery only once it has an event offset to resume from
    socket.socket.io.engine.close();
    await waitUntil(() => socket.socket.connected && socket.socket.recovered, 5000, 'a recovered reconnection');
    expect(socket.socket.id).toBe(before);
  };
  const userRoom = () => t.realtime.namespace!.adapter.rooms.get(t.realtime.rooms.user('users', who.owner.id!)) ?? new Set();

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    // No periodic re-check inside the test: recovery alone must not hand an identity back.
    t = await startSecurityApp(db.url, { auth: { recheckSeconds: 3600 }, recovery: { maxDisconnectionDuration: 60_000 } });
    who = await people(t);
  });

  afterAll(async () => {
    for (const client of clients) client.socket.disconnect();
    await t?.close();
    await db?.drop();
  });

  it('keeps the identity of a socket whose token is still valid (the control)', async () => {
    const { person, socket } = await ownerTab();
    await blip(socket);
    expect(identityOf(t, socket)).toEqual(expect.objectContaining({ id: who.owner.id }));
    expect(userRoom().has(socket.socket.id!)).toBe(true);
    const sessionRoom = t.realtime.rooms.session(sessionIdOf(person.http.cookies.get('connect.sid')!));
    expect(t.realtime.namespace!.adapter.rooms.get(sessionRoom)).toEqual(new Set([socket.socket.id]));
  });

  it('drops the identity and the user room of a socket whose token was logged out during the drop', async () => {
    const { person, socket } = await ownerTab();
    expect(userRoom().has(socket.socket.id!)).toBe(true);
    await t.settle([socket]);
    socket.socket.io.engine.close();
    await waitUntil(() => !socket.socket.connected, 5000, 'the drop');
    expect((await person.http.post('/api/users/logout', undefined, { Authorization: `JWT ${person.token}` })).status).toBe(200);
    await waitUntil(() => socket.socket.connected && socket.socket.recovered, 5000, 'a recovered reconnection');

    expect(identityOf(t, socket)).toBeUndefined();
    expect(userRoom().has(socket.socket.id!)).toBe(false);
    const since = checkpoint([socket]);
    t.realtime.toUser('users', who.owner.id!).emit('private.note', { for: 'the owner only' });
    expect((await who.owner.http.post('/api/owned?depth=0', { title: 'public|true' }, { Authorization: `JWT ${who.owner.token}` })).status).toBe(201);
    await t.settle([socket]);
    expect(since(socket)).toEqual([]);
  });

  it('does not replay to a recovering socket what others were allowed to read while it was away', async () => {
    for (const client of clients.splice(0)) client.socket.disconnect();
    const connect = (auth?: Record<string, unknown>) => {
      const socket = new RecordingSocket(io(t.url, { transports: ['websocket'], auth, reconnection: false, forceNew: true }));
      clients.push(socket);
      return waitUntil(() => socket.socket.connected).then(() => socket);
    };
    const visitor = await connect(); // anonymous: may read no owned document
    const readers = [await connect({ token: who.owner.token }), await connect({ token: who.admin.token })];
    await t.settle([visitor, ...readers]); // gives the visitor an offset to resume from
    const id = visitor.socket.id!;
    visitor.socket.io.engine.close();
    await waitUntil(() => !t.realtime.namespace!.sockets.has(id), 5000, 'the server to notice the drop');

    // Everyone connected now may read it, and all share one view.
    const since = checkpoint([visitor, ...readers]);
    expect((await who.owner.http.post('/api/owned?depth=0', { title: 'public|true' }, { Authorization: `JWT ${who.owner.token}` })).status).toBe(201);
    await t.settle(readers);
    for (const reader of readers) expect(since(reader).map((e) => e.event)).toEqual(['public.owned.create']);

    visitor.socket.connect();
    await waitUntil(() => visitor.socket.connected, 5000, 'the visitor to reconnect');
    expect(visitor.socket.recovered).toBe(true);
    await t.settle([visitor]);
    expect(since(visitor)).toEqual([]);
  });
});
