import type { TestApp } from '../support/app.js';
import { HttpClient, connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp } from '../support/security-fixture.js';
import { checkpoint, claimsOf, identityOf, signJwt, tamper, unsignedJwt } from './support/probes.js';

const ADMIN_KEY = 'admin-api-key-0123456789';

/**
 * Forged JWTs and wrong API keys get nothing extra: the socket is anonymous and receives exactly what a
 * genuinely anonymous socket receives. A genuine owner socket is the control that the documents do differ.
 */
describe('forged credentials', () => {
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
    t = await startSecurityApp(db.url);
    who = await people(t);
    await t.payload.update({ collection: 'users', id: who.admin.id!, data: { enableAPIKey: true, apiKey: ADMIN_KEY } });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('leaves every forged or wrong credential anonymous, receiving only what anonymous may read', async () => {
    const { admin, owner } = who;
    const asAdmin = { ...claimsOf(owner.token!), id: admin.id };
    const [adminHead, adminBody] = admin.token!.split('.');
    const forged: Record<string, Parameters<typeof connectSocket>[1]> = {
      'JWT signed with another secret': { auth: { token: signJwt(asAdmin, 'another-secret') } },
      "JWT signed with the config's secret (Payload signs with a derived one)": { auth: { token: signJwt(claimsOf(admin.token!), 'security-spec-secret') } },
      'JWT with alg none': { auth: { token: unsignedJwt(claimsOf(admin.token!)) } },
      "the admin's JWT without its signature": { auth: { token: `${adminHead}.${adminBody}.` } },
      "the owner's JWT with the admin's id": { auth: { token: tamper(owner.token!, { id: admin.id }) } },
      "the owner's JWT with a role claim": { auth: { token: tamper(owner.token!, { role: 'admin' }) } },
      'a forged JWT in the Authorization header': { extraHeaders: { authorization: `JWT ${signJwt(asAdmin, 'another-secret')}` } },
      'a forged payload-token cookie': { cookie: `payload-token=${tamper(owner.token!, { id: admin.id })}` },
      'a wrong API key': { auth: { apiKey: 'not-the-key', collection: 'users' } },
      'the admin key plus one character': { auth: { apiKey: `${ADMIN_KEY}x`, collection: 'users' } },
      'the admin key for a collection without auth': { auth: { apiKey: ADMIN_KEY, collection: 'owned' } },
      'an API key that is a query object': { auth: { apiKey: { not_equals: 'x' }, collection: 'users' } },
      'a token that is an object': { auth: { token: { id: admin.id, collection: 'users' } } },
      'a wrong API key in the Authorization header': { extraHeaders: { authorization: 'users API-Key not-the-key' } },
    };
    const anonymous = await open({ cookie: who.anonymous.http.cookieHeader });
    const genuineOwner = await open({ auth: { token: owner.token } });
    const attempts = new Map<string, RecordingSocket>();
    for (const [label, options] of Object.entries(forged)) {
      const socket = await open(options);
      expect({ label, user: identityOf(t, socket) }).toEqual({ label, user: undefined });
      attempts.set(label, socket);
    }

    const all = [anonymous, genuineOwner, ...attempts.values()];
    const since = checkpoint(all);
    const jwt = (token?: string) => ({ Authorization: `JWT ${token}` });
    const writes = [
      owner.http.post('/api/owned?depth=0', { title: 'public|true' }, jwt(owner.token)),
      owner.http.post('/api/open?depth=0', { title: 'public|true' }, jwt(owner.token)),
      admin.http.post('/api/admin-only?depth=0', { title: 'public|true' }, jwt(admin.token)),
      admin.http.post('/api/field-level?depth=0', { title: 'public|true', secret: 'for admins' }, jwt(admin.token)),
    ];
    for (const write of writes) expect((await write).status).toBe(201);
    await t.settle(all);

    const seen = (socket: RecordingSocket) => since(socket).map(({ event, data }) => ({ event, data })).sort((a, b) => a.event.localeCompare(b.event));
    // The control: anonymous sees the open document and the field-level one without its secret; the owner more.
    expect(seen(anonymous).map((e) => e.event)).toEqual(['public.field-level.create', 'public.open.create']);
    expect(JSON.stringify(seen(anonymous))).not.toContain('for admins');
    expect(seen(genuineOwner).map((e) => e.event)).toEqual(['public.field-level.create', 'public.open.create', 'public.owned.create']);
    for (const [label, socket] of attempts) {
      expect({ label, received: seen(socket) }).toEqual({ label, received: seen(anonymous) });
    }
    console.log(`forged credentials: ${attempts.size} cases, each anonymous`);
  });

  it('refuses a forged credential outright when auth is required', async () => {
    const strict = await startSecurityApp(db.url.replace('test.db', 'strict.db'), { auth: { required: true } });
    try {
      const victim = await new HttpClient(strict.url).post('/api/users/first-register', { email: 'a@test.io', password: 'pw-a' });
      const forgedToken = tamper(victim.body.token, { id: 'someone-else' });
      await expect(connectSocket(strict.url, { auth: { token: forgedToken } })).rejects.toThrow('Authentication required');
      await expect(connectSocket(strict.url, { auth: { token: signJwt(claimsOf(victim.body.token), 'guess') } })).rejects.toThrow('Authentication required');
      expect(strict.realtime.namespace!.sockets.size).toBe(0);
    } finally {
      await strict.close();
    }
  });
});
