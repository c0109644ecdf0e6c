import type { TestApp } from '../support/app.js';
import { HttpClient, connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp, type Person } from '../support/security-fixture.js';
import { checkpoint, claimsOf, disconnection, identityOf } from './support/probes.js';

const RECHECK_SECONDS = 1;
/** The documented bound (recheckSeconds) plus room for a slow machine: failing it means "never". */
const WITHIN_BOUND_MS = (RECHECK_SECONDS + 4) * 1000;
const TOKEN_SECONDS = 4;

/**
 * A socket keeps its user only while the credential holds: a logged-out session, an expired token or a revoked
 * API key is noticed at the next re-check (every `recheckSeconds`): `auth:expired`, then anonymous — or
 * disconnected when auth is required. Other sessions of the same user are untouched.
 */
describe.each([false, true])('identity expiry (auth.required: %s)', (required) => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  let keeper: RecordingSocket; // the owner's first session: must keep working throughout
  const sockets: RecordingSocket[] = [];
  const open = async (auth: Record<string, unknown>) => {
    const socket = await connectSocket(t.url, { auth });
    sockets.push(socket);
    return socket;
  };
  /** Creates an owner-only document and returns what each socket received from it. */
  const ownedCreate = async (watched: RecordingSocket[]) => {
    const since = checkpoint(watched);
    const created = await who.owner.http.post('/api/owned?depth=0', { title: 'public|true' }, { Authorization: `JWT ${who.owner.token}` });
    expect(created.status).toBe(201);
    await t.settle(watched);
    return { id: created.body.doc.id, received: (s: RecordingSocket) => since(s).map((e) => `${e.event}#${(e.data as { id?: unknown })?.id}`) };
  };
  /** A second, independent login of the owner (another browser). */
  const secondLogin = async (): Promise<Person> => {
    const http = new HttpClient(t.url);
    const login = await http.post('/api/users/login', { email: 'owner@test.io', password: 'pw-owner' });
    expect(login.status).toBe(200);
    return { name: 'owner-2', http, token: login.body.token, id: login.body.user.id };
  };
  /** Waits for `auth:expired`, then for what follows it (anonymous, or disconnected). */
  const expectExpired = async (socket: RecordingSocket, reason: string, extraMs = 0) => {
    expect(await socket.waitFor('auth:expired', 1, WITHIN_BOUND_MS + extraMs)).toEqual([{ reason }]);
    if (required) await disconnection(socket);
    else expect(identityOf(t, socket)).toBeUndefined();
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url, { auth: { required, recheckSeconds: RECHECK_SECONDS } });
    who = await people(t);
    keeper = await open({ token: who.owner.token });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('a logged-out token loses its identity within the bound; the other session keeps it', async () => {
    const second = await secondLogin();
    const socket = await open({ token: second.token });
    const before = await ownedCreate([keeper, socket]);
    expect(before.received(socket)).toEqual([`public.owned.create#${before.id}`]);

    const logout = await second.http.post('/api/users/logout', undefined, { Authorization: `JWT ${second.token}` });
    expect(logout.status).toBe(200);
    await expectExpired(socket, 'logged out');

    const after = await ownedCreate([keeper, socket]);
    expect(after.received(socket)).toEqual([]);
    expect(after.received(keeper)).toEqual([`public.owned.create#${after.id}`]);
    expect(keeper.named('auth:expired')).toEqual([]);
    expect(identityOf(t, keeper)).toEqual(expect.objectContaining({ id: who.owner.id }));
  });

  it('an expired token loses its identity within the bound', async () => {
    const users = t.payload.collections.users.config.auth;
    const usual = users.tokenExpiration;
    users.tokenExpiration = TOKEN_SECONDS; // read by Payload at login: only this login gets a short token
    const second = await secondLogin().finally(() => (users.tokenExpiration = usual));
    const socket = await open({ token: second.token });
    expect(identityOf(t, socket)?.exp).toBe(claimsOf(second.token!).exp);
    const before = await ownedCreate([keeper, socket]);
    expect(before.received(socket)).toEqual([`public.owned.create#${before.id}`]);

    await expectExpired(socket, 'token expired', TOKEN_SECONDS * 1000);
    const after = await ownedCreate([keeper, socket]);
    expect(after.received(socket)).toEqual([]);
    expect(after.received(keeper)).toEqual([`public.owned.create#${after.id}`]);
  });

  it('a revoked API key loses its identity within the bound', async () => {
    await t.payload.update({ collection: 'users', id: who.owner.id!, data: { enableAPIKey: true, apiKey: 'owner-key-to-revoke' } });
    const socket = await open({ apiKey: 'owner-key-to-revoke', collection: 'users' });
    const before = await ownedCreate([keeper, socket]);
    expect(before.received(socket)).toEqual([`public.owned.create#${before.id}`]);

    await t.payload.update({ collection: 'users', id: who.owner.id!, data: { enableAPIKey: false } });
    const me = await new HttpClient(t.url).get('/api/users/me', { Authorization: 'users API-Key owner-key-to-revoke' });
    expect(me.body.user).toBeNull(); // Payload's REST API refuses the key from now on: so must the socket
    await expectExpired(socket, 'API key revoked');
    const after = await ownedCreate([keeper, socket]);
    expect(after.received(socket)).toEqual([]);
  });

  it('a rotated API key loses its identity within the bound', async () => {
    await t.payload.update({ collection: 'users', id: who.owner.id!, data: { enableAPIKey: true, apiKey: 'owner-key-before' } });
    const socket = await open({ apiKey: 'owner-key-before', collection: 'users' });
    expect(identityOf(t, socket)).toEqual(expect.objectContaining({ id: who.owner.id }));
    await t.payload.update({ collection: 'users', id: who.owner.id!, data: { apiKey: 'owner-key-after' } });
    await expectExpired(socket, 'API key revoked');
  });

  it('a deleted user loses its identity within the bound', async () => {
    const socket = await open({ token: who.other.token });
    await t.payload.delete({ collection: 'users', id: who.other.id! });
    await expectExpired(socket, 'user no longer exists');
  });
});
