import { PayloadSocketModule, type PayloadSocketOptions } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, waitUntil } from '../support/clients.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../support/databases.js';
import {
  gatewayConfig,
  pruneNow,
  SessionCounterController,
  SessionProbe,
  sessionIdOf,
  sessionRoomOf,
  socketsIn,
  startGatewayApp,
  storedSessionRow,
} from './support.js';

/** Sessions live in the app's own database: they outlive the process, and expire. */
describe.each(DATABASE_KINDS)('persistent sessions on %s', (kind) => {
  let db: TestDatabase;
  const secret = `session-persistence-${kind}`;
  const running: TestApp[] = [];

  const start = async (session?: PayloadSocketOptions['session']) => {
    const t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, secret), session })],
      controllers: [SessionCounterController],
      providers: [SessionProbe],
    });
    running.push(t);
    return t;
  };
  const stop = async (t: TestApp) => {
    running.splice(running.indexOf(t), 1);
    await t.close();
  };

  beforeAll(async () => {
    db = await freshDatabase(kind);
  });

  afterAll(async () => {
    for (const t of running) await t.close();
    await db?.drop();
  });

  it('keeps a session across a restart of the app on the same database', async () => {
    const first = await start();
    const http = new HttpClient(first.url);
    for (let i = 0; i < 3; i++) await http.get('/test-session/counter');
    const cookie = http.cookies.get('connect.sid')!;
    const roomBefore = sessionRoomOf(first.realtime, cookie);
    await stop(first);

    const second = await start();
    const again = new HttpClient(second.url);
    again.cookies.set('connect.sid', cookie);
    expect((await again.get('/test-session/peek')).body).toEqual({ counter: 3, sessionID: sessionIdOf(cookie) });
    expect(again.cookies.get('connect.sid')).toBe(cookie);

    const socket = await connectSocket(second.url, { cookie: again.cookieHeader });
    try {
      expect(await socket.emitWithAck('session?')).toEqual({ counter: 3, sessionID: sessionIdOf(cookie) });
      // Room names depend on the secret and the session only: the same room as before the restart.
      expect(sessionRoomOf(second.realtime, cookie)).toBe(roomBefore);
      expect(socketsIn(second.realtime, roomBefore)).toEqual([socket.socket.id]);
    } finally {
      socket.close();
    }
    await stop(second);
  });

  it('starts a fresh session for an expired cookie, and prunes the expired row from the store', async () => {
    const t = await start({ ttlSeconds: 1 });
    const http = new HttpClient(t.url);
    await http.get('/test-session/counter');
    const cookie = http.cookies.get('connect.sid')!;
    const sid = sessionIdOf(cookie);
    const row = await storedSessionRow(t.payload, sid);
    expect(row).not.toBeNull();
    await waitUntil(() => Date.now() > row!.expiresAt.getTime() + 50, 5000, 'the session to expire');

    // The old cookie no longer finds its data: HTTP and socket both get a new, empty session.
    const socket = await connectSocket(t.url, { cookie: http.cookieHeader });
    try {
      const seen = (await socket.emitWithAck('session?')) as { counter: number | null; sessionID: string };
      expect(seen.counter).toBeNull();
      expect(seen.sessionID).not.toBe(sid);
      expect(socketsIn(t.realtime, sessionRoomOf(t.realtime, cookie))).toEqual([]);
      expect(socketsIn(t.realtime, t.realtime.rooms.session(seen.sessionID))).toEqual([socket.socket.id]);
    } finally {
      socket.close();
    }
    const peek = await http.get('/test-session/peek');
    expect(peek.body.counter).toBeNull();
    expect(peek.body.sessionID).not.toBe(sid);
    expect(http.cookies.get('connect.sid')).not.toBe(cookie);

    expect(await storedSessionRow(t.payload, sid)).not.toBeNull(); // expired, but kept until a prune
    await pruneNow(t.app);
    expect(await storedSessionRow(t.payload, sid)).toBeNull();
    await stop(t);
  });
});
