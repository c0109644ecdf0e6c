import { createHmac } from 'node:crypto';
import { PayloadSocketModule } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { gatewayConfig, SessionCounterController, SessionProbe, sessionIdOf, sessionRoomOf, socketsIn, startGatewayApp } from './support.js';

/** A `connect.sid` value for `sid`, signed the way express-session (cookie-signature) signs it. */
const signedCookie = (sid: string, secret: string) =>
  encodeURIComponent(`s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`);

/** Whatever cookie a client makes up, it gets a fresh anonymous session: never someone else's. */
describe('made-up session cookies', () => {
  let db: TestDatabase;
  let t: TestApp;
  let victim: HttpClient;
  let victimSid: string;
  let victimRoom: string;
  let victimSocket: RecordingSocket;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'hostile-cookies-secret') })],
      controllers: [SessionCounterController],
      providers: [SessionProbe],
    });
    victim = new HttpClient(t.url);
    await victim.get('/test-session/counter');
    victimSid = sessionIdOf(victim.cookies.get('connect.sid')!);
    victimRoom = sessionRoomOf(t.realtime, victim.cookies.get('connect.sid')!);
    victimSocket = await connectSocket(t.url, { cookie: victim.cookieHeader });
    sockets.push(victimSocket);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('signs like express-session (so the forgeries below differ only by their secret)', () => {
    expect(signedCookie(victimSid, t.payload.secret)).toBe(victim.cookies.get('connect.sid'));
  });

  const forgeries: [string, () => string | undefined][] = [
    ['no cookie at all', () => undefined],
    ['a garbage value', () => 'connect.sid=garbage'],
    ['the victim\'s id re-signed with another secret', () => `connect.sid=${signedCookie(victimSid, 'not-the-secret')}`],
    ['the victim\'s id unsigned', () => `connect.sid=${encodeURIComponent(`s:${victimSid}`)}`],
    ['the victim\'s id without the s: prefix', () => `connect.sid=${victimSid}`],
    ['the victim\'s signature on another id', () => `connect.sid=${victim.cookies.get('connect.sid')!.replace(victimSid, 'x'.repeat(victimSid.length))}`],
    ['a broken percent-encoding', () => 'connect.sid=s%3A%E0%A4%A'],
    ['a 6 kB value', () => `connect.sid=s%3A${'a'.repeat(6000)}.sig`],
    ['two connect.sid cookies, both forged', () => `connect.sid=${signedCookie(victimSid, 'nope')}; connect.sid=garbage`],
  ];

  it.each(forgeries)('%s → a fresh anonymous session, not in the victim\'s room', async (_, cookie) => {
    for (const transport of ['websocket', 'polling'] as const) {
      const socket = await connectSocket(t.url, { cookie: cookie(), transports: [transport] });
      sockets.push(socket);
      const seen = (await socket.emitWithAck('session?')) as { counter: number | null; sessionID: string };
      expect(seen.counter).toBeNull();
      expect(seen.sessionID).toEqual(expect.any(String));
      expect(seen.sessionID).not.toBe(victimSid);
      expect(socketsIn(t.realtime, t.realtime.rooms.session(seen.sessionID))).toEqual([socket.socket.id]);
      expect(socketsIn(t.realtime, victimRoom)).toEqual([victimSocket.socket.id]);
    }
  });

  it('leaves the victim\'s session as it was', async () => {
    expect((await victim.get('/test-session/peek')).body).toEqual({ counter: 1, sessionID: victimSid });
    expect(await victimSocket.emitWithAck('session?')).toEqual({ counter: 1, sessionID: victimSid });
  });
});
