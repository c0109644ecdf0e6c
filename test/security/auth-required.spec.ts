import { Manager } from 'socket.io-client';
import type { TestApp } from '../support/app.js';
import { connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp, type Person } from '../support/security-fixture.js';
import { checkpoint, identityOf, refusal } from './support/probes.js';

const REQUIRED = 'Authentication required: send a valid token, API key or payload-token cookie.';
const ALLOWED_ORIGIN = 'http://app.example';
const OWNER_KEY = 'owner-api-key-0123456789';

/** `auth: { required: true }`: no socket without a valid credential; every kind of credential works. */
describe('required socket authentication', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const sockets: RecordingSocket[] = [];
  const open = async (options: Parameters<typeof connectSocket>[1]) => {
    const socket = await connectSocket(t.url, options);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url, {
      auth: { required: true, cookieOrigins: [ALLOWED_ORIGIN] },
      limits: { handshakeTimeoutMs: 500 },
    });
    who = await people(t);
    await t.payload.update({ collection: 'users', id: who.owner.id!, data: { enableAPIKey: true, apiKey: OWNER_KEY } });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('refuses every handshake without a valid credential, with a clear connect_error', async () => {
    const attempts: Record<string, Parameters<typeof connectSocket>[1]> = {
      'nothing at all': {},
      'a session cookie without payload-token': { cookie: who.anonymous.http.cookieHeader },
      'a token that is no JWT': { auth: { token: 'not-a-jwt' } },
      'an empty token': { auth: { token: '' } },
      'a wrong API key': { auth: { apiKey: 'not-the-key', collection: 'users' } },
      'an Authorization header with a wrong API key': { extraHeaders: { authorization: 'users API-Key not-the-key' } },
      'nothing, over long-polling': { transports: ['polling'] },
    };
    for (const [label, options] of Object.entries(attempts)) {
      expect({ label, message: await refusal(t.url, options) }).toEqual({ label, message: REQUIRED });
    }
    expect(t.realtime.namespace!.sockets.size).toBe(0);
    console.log(`required auth: ${Object.keys(attempts).length} credential-less handshakes refused`);
  });

  it('accepts a JWT (auth.token, Authorization header), an API key and the cookie, each as its own user', async () => {
    const { admin, owner, other } = who;
    const credentials: [string, Person, Parameters<typeof connectSocket>[1]][] = [
      ['auth.token', owner, { auth: { token: owner.token } }],
      ['Authorization: JWT', other, { extraHeaders: { authorization: `JWT ${other.token}` } }],
      ['Authorization: Bearer', owner, { extraHeaders: { authorization: `Bearer ${owner.token}` } }],
      ['auth.apiKey + auth.collection', owner, { auth: { apiKey: OWNER_KEY, collection: 'users' } }],
      ['Authorization: users API-Key', owner, { extraHeaders: { authorization: `users API-Key ${OWNER_KEY}` } }],
      ['payload-token cookie', other, { cookie: other.http.cookieHeader }],
      ['auth.token over long-polling', admin, { transports: ['polling'], auth: { token: admin.token } }],
    ];
    const connected: [string, Person, RecordingSocket][] = [];
    for (const [label, person, options] of credentials) {
      const socket = await open(options);
      expect({ label, user: identityOf(t, socket) }).toEqual({ label, user: expect.objectContaining({ collection: 'users', id: person.id }) });
      connected.push([label, person, socket]);
    }

    // Behaviour follows the identity: an owner-scoped document reaches the owner's and the admin's sockets only.
    const since = checkpoint(connected.map(([, , s]) => s));
    const created = await owner.http.post('/api/owned?depth=0', { title: 'public|true' }, { Authorization: `JWT ${owner.token}` });
    expect(created.status).toBe(201);
    await t.settle(connected.map(([, , s]) => s));
    for (const [label, person, socket] of connected) {
      const expected = person === other ? [] : [{ event: 'public.owned.create', data: expect.objectContaining({ id: created.body.doc.id }) }];
      expect({ label, received: since(socket) }).toEqual({ label, received: expected });
    }
    console.log(`required auth: ${credentials.length} credential kinds accepted`);
  });

  it('takes the payload-token cookie from no Origin, the same origin or an allowed one, and refuses it from others', async () => {
    const cookie = who.other.http.cookieHeader;
    for (const origin of [undefined, t.url, ALLOWED_ORIGIN]) {
      const socket = await open({ cookie, extraHeaders: origin ? { origin } : {} });
      expect({ origin, user: identityOf(t, socket)?.id }).toEqual({ origin, user: who.other.id });
    }
    const port = new URL(t.url).port;
    for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', 'http://app.example.evil.example']) {
      expect({ origin, message: await refusal(t.url, { cookie, extraHeaders: { origin } }) }).toEqual({
        origin,
        message: `${REQUIRED} The payload-token cookie is not accepted from origin ${JSON.stringify(origin)} (see auth.cookieOrigins).`,
      });
    }
  });

  it('closes a connection that never completes the Socket.IO handshake (handshakeTimeoutMs)', async () => {
    const manager = new Manager(t.url, { transports: ['websocket'], reconnection: false, autoConnect: false });
    const opened = new Promise<void>((resolve, reject) => manager.open((error) => (error ? reject(error) : resolve())));
    const closed = new Promise<string>((resolve) => manager.on('close', (reason) => resolve(reason)));
    await opened;
    expect(await closed).toBe('transport close'); // the server hung up; the client never asked to
  });
});
