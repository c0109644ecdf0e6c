import { PayloadSocketModule } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { gatewayConfig, RawPolling, SessionCounterController, SessionProbe, sessionCookieIn, sessionIdOf, socketsIn, startGatewayApp } from './support.js';

const ALLOWED = 'http://allowed.test';
const EVIL = 'http://evil.test';
const HANDSHAKE = '/socket.io/?EIO=4&transport=polling';

/** `cors` reaches Socket.IO: an allowed origin connects with credentials, any other is refused. */
describe('Socket.IO cors', () => {
  let db: TestDatabase;
  let t: TestApp;
  const sockets: RecordingSocket[] = [];

  const preflight = (origin: string) =>
    fetch(t.url + HANDSHAKE, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({
      imports: [
        PayloadSocketModule.forRoot({
          config: gatewayConfig(db.url, 'cors-secret'),
          cors: { origin: [ALLOWED], credentials: true },
        }),
      ],
      controllers: [SessionCounterController],
      providers: [SessionProbe],
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('answers an allowed origin\'s preflight and polling handshake with credentials allowed, and sets the cookie', async () => {
    const answer = await preflight(ALLOWED);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');

    const handshake = await new RawPolling(t.url, { origin: ALLOWED }).open();
    expect(handshake.status).toBe(200);
    expect(handshake.body).toMatch(/^0\{"sid":/);
    expect(handshake.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(handshake.headers.get('access-control-allow-credentials')).toBe('true');
    expect(sessionCookieIn(handshake.headers.getSetCookie())).toMatch(/^s%3A/);
  });

  it.each(['polling', 'websocket'] as const)('connects a client of the allowed origin over %s, with its session cookie', async (transport) => {
    const http = new HttpClient(t.url, { origin: ALLOWED });
    await http.get('/test-session/counter');
    const socket = await connectSocket(t.url, { cookie: http.cookieHeader, transports: [transport], extraHeaders: { origin: ALLOWED } });
    sockets.push(socket);
    const sid = sessionIdOf(http.cookies.get('connect.sid')!);
    expect(await socket.emitWithAck('session?')).toEqual({ counter: 1, sessionID: sid });
    expect(socketsIn(t.realtime, t.realtime.rooms.session(sid))).toEqual([socket.socket.id]);
  });

  it('gives a disallowed origin no allow-origin header and refuses its handshake', async () => {
    const answer = await preflight(EVIL);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull(); // so a browser never sends the request

    const handshake = await new RawPolling(t.url, { origin: EVIL }).open();
    expect(handshake.status).toBe(403);
    expect(handshake.headers.get('access-control-allow-origin')).toBeNull();
    expect(handshake.body).not.toMatch(/"sid"/);
  });

  it.each(['polling', 'websocket'] as const)('refuses a socket of a disallowed origin over %s, even with a valid cookie', async (transport) => {
    const http = new HttpClient(t.url);
    await http.get('/test-session/counter');
    const sid = sessionIdOf(http.cookies.get('connect.sid')!);
    const before = t.realtime.namespace!.sockets.size;
    await expect(
      connectSocket(t.url, { cookie: http.cookieHeader, transports: [transport], extraHeaders: { origin: EVIL } }),
    ).rejects.toThrow();
    expect(t.realtime.namespace!.sockets.size).toBe(before);
    expect(socketsIn(t.realtime, t.realtime.rooms.session(sid))).toEqual([]);
  });

  it('still connects clients that send no Origin (servers, scripts) and pages of the app\'s own origin', async () => {
    const plain = await connectSocket(t.url);
    const sameOrigin = await connectSocket(t.url, { extraHeaders: { origin: t.url } });
    sockets.push(plain, sameOrigin);
    expect(plain.socket.connected && sameOrigin.socket.connected).toBe(true);
  });
});
