import { SESSION_MIDDLEWARE } from '../../src/constants.js';
import { PayloadSocketModule } from '../../src/index.js';
import type { SessionRuntime } from '../../src/session/session-middleware.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, waitUntil, type RecordingSocket } from '../support/clients.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { gatewayConfig, RawPolling, SessionCounterController, SessionProbe, sessionCookieIn, sessionIdOf, sessionRoomOf, socketsIn, startGatewayApp, storedSessionRow, websocketHandshake } from './support.js';

describe.each(DATABASE_KINDS)('one session for HTTP and Socket.IO on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const sockets: RecordingSocket[] = [];
  const open = async (...args: Parameters<typeof connectSocket>) => {
    const socket = await connectSocket(...args);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, `shared-session-${kind}`) })],
      controllers: [SessionCounterController],
      providers: [SessionProbe],
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it.each(['websocket', 'polling'] as const)('a socket over %s sees what HTTP wrote, and HTTP sees what the socket saved', async (transport) => {
    const http = new HttpClient(t.url);
    await http.get('/test-session/counter');
    const second = await http.get('/test-session/counter');
    expect(second.body.counter).toBe(2);
    const cookie = http.cookies.get('connect.sid')!;
    expect(second.body.sessionID).toBe(sessionIdOf(cookie));

    const socket = await open(t.url, { cookie: http.cookieHeader, transports: [transport] });
    expect(socket.socket.io.engine.transport.name).toBe(transport);
    expect(await socket.emitWithAck('session?')).toEqual({ counter: 2, sessionID: sessionIdOf(cookie) });
    expect(socketsIn(t.realtime, sessionRoomOf(t.realtime, cookie))).toEqual([socket.socket.id]);

    expect(await socket.emitWithAck('session+')).toBe(12);
    const peek = await http.get('/test-session/peek');
    expect(peek.body).toEqual({ counter: 12, sessionID: sessionIdOf(cookie) });
    expect(http.cookies.get('connect.sid')).toBe(cookie); // still the same session cookie

    // Long after the handshake (its hooks released), the socket's session still reloads and saves.
    expect((await http.get('/test-session/counter')).body.counter).toBe(13);
    expect(await socket.emitWithAck('session~')).toBe(13);
    expect(await socket.emitWithAck('session+')).toBe(23);
    expect((await http.get('/test-session/peek')).body.counter).toBe(23);
  });

  it('puts every tab of a session in its room, and no socket of another session', async () => {
    const [a, b, c] = [new HttpClient(t.url), new HttpClient(t.url), new HttpClient(t.url)];
    for (const client of [a, b, c]) await client.get('/test-session/counter');
    const tabs = [
      await open(t.url, { cookie: a.cookieHeader, transports: ['websocket'] }),
      await open(t.url, { cookie: a.cookieHeader, transports: ['polling'] }),
      await open(t.url, { cookie: a.cookieHeader }),
    ];
    const other = await open(t.url, { cookie: b.cookieHeader });
    const third = await open(t.url, { cookie: c.cookieHeader, transports: ['polling'] });

    const roomOf = (client: HttpClient) => sessionRoomOf(t.realtime, client.cookies.get('connect.sid')!);
    expect(socketsIn(t.realtime, roomOf(a)).sort()).toEqual(tabs.map((s) => s.socket.id).sort());
    expect(socketsIn(t.realtime, roomOf(b))).toEqual([other.socket.id]);
    expect(socketsIn(t.realtime, roomOf(c))).toEqual([third.socket.id]);
    expect(new Set([roomOf(a), roomOf(b), roomOf(c)]).size).toBe(3);

    // Leaving is tidy: a closed tab leaves the room, the others stay.
    tabs[0].close();
    await waitUntil(() => socketsIn(t.realtime, roomOf(a)).length < 3, 5000, 'the closed tab to leave');
    expect(socketsIn(t.realtime, roomOf(a)).sort()).toEqual([tabs[1].socket.id, tabs[2].socket.id].sort());
  });

  it('gives a cookie-less polling handshake a fresh session, its Set-Cookie and its own room', async () => {
    const raw = new RawPolling(t.url);
    const handshake = await raw.open();
    expect(handshake.status).toBe(200);
    const cookie = sessionCookieIn(handshake.headers.getSetCookie());
    expect(cookie).toMatch(/^s%3A/);
    expect(handshake.headers.getSetCookie()[0]).toMatch(/HttpOnly/i);
    expect(handshake.headers.getSetCookie()[0]).toMatch(/SameSite=Lax/i);

    expect(await raw.send('40')).toBe(200); // connect to the main namespace
    const connected = await raw.poll();
    const socketId = JSON.parse(connected.body.slice(2)).sid as string;
    expect(socketsIn(t.realtime, sessionRoomOf(t.realtime, cookie!))).toEqual([socketId]);

    // HTTP with that cookie continues the session instead of starting another (stored or not: it is empty).
    const http = new HttpClient(t.url);
    http.cookies.set('connect.sid', cookie!);
    expect((await http.get('/test-session/peek')).body).toEqual({ counter: null, sessionID: sessionIdOf(cookie!) });
    expect(http.cookies.get('connect.sid')).toBe(cookie);
  });

  it('gives a cookie-less websocket client a session room of its own', async () => {
    const lone = await open(t.url, { transports: ['websocket'] });
    const ack = (await lone.emitWithAck('session?')) as { sessionID: string; counter: null };
    expect(ack.counter).toBeNull();
    expect(socketsIn(t.realtime, t.realtime.rooms.session(ack.sessionID))).toEqual([lone.socket.id]);
  });

  it('keeps the session a cookie-less websocket handshake starts, unstored until it carries data: its cookie works over HTTP', async () => {
    const handshake = await websocketHandshake(t.url);
    expect(handshake.status).toBe(101);
    const cookie = sessionCookieIn([handshake.headers['set-cookie'] ?? []].flat());
    expect(cookie).toMatch(/^s%3A/);
    expect(await storedSessionRow(t.payload, sessionIdOf(cookie!))).toBeNull(); // an empty session costs no write

    const http = new HttpClient(t.url);
    http.cookies.set('connect.sid', cookie!);
    expect((await http.get('/test-session/peek')).body).toEqual({ counter: null, sessionID: sessionIdOf(cookie!) });
    expect(http.cookies.get('connect.sid')).toBe(cookie);
  });

  it('writes no session on a websocket handshake: neither one it loaded (never re-saved) nor an empty one it started', async () => {
    const store = t.app.get<SessionRuntime>(SESSION_MIDDLEWARE, { strict: false }).store;
    const written: string[] = [];
    const set = store.set.bind(store);
    store.set = (sid, data, callback) => {
      written.push(sid);
      set(sid, data, callback);
    };
    try {
      const http = new HttpClient(t.url);
      await http.get('/test-session/counter');
      written.length = 0;
      const loaded = await websocketHandshake(t.url, { cookie: http.cookieHeader });
      expect(loaded.status).toBe(101);
      expect(loaded.headers['set-cookie']).toBeUndefined();
      expect(written).toEqual([]); // re-saving would overwrite what a concurrent HTTP request writes

      const fresh = await websocketHandshake(t.url);
      expect(sessionCookieIn([fresh.headers['set-cookie'] ?? []].flat())).toMatch(/^s%3A/);
      expect(written).toEqual([]);
      expect((await http.get('/test-session/peek')).body.counter).toBe(1);
    } finally {
      store.set = set;
    }
  });
});
