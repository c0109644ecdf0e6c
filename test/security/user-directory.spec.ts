import type { TestApp } from '../support/app.js';
import { connectSocket, waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp } from '../support/security-fixture.js';

/**
 * Each instance keeps one user document per connected user (access checks read it instead of the database). It
 * must hold exactly the users that have sockets here: an entry left behind is memory that never comes back and a
 * user document nobody refreshes.
 */
describe('the users of connected sockets', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const sockets: RecordingSocket[] = [];
  const open = async (token: string) => {
    const socket = await connectSocket(t.url, { auth: { token } });
    sockets.push(socket);
    return socket;
  };
  const held = () => t.realtime.auth.users.size;
  const close = async (socket: RecordingSocket) => {
    const id = socket.socket.id!;
    socket.close();
    await waitUntil(() => !t.realtime.namespace!.sockets.has(id), 5000, 'the server to see the disconnect');
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url, { auth: { recheckSeconds: 1 } });
    who = await people(t);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('holds one entry per user, released with the last of its sockets', async () => {
    const [ownerTab1, ownerTab2, admin] = [await open(who.owner.token!), await open(who.owner.token!), await open(who.admin.token!)];
    expect(held()).toBe(2);
    await close(ownerTab1);
    expect(held()).toBe(2); // the owner still has a socket
    await close(ownerTab2);
    expect(held()).toBe(1);
    await close(admin);
    expect(held()).toBe(0);
  });

  it('releases a user once when its socket was downgraded before disconnecting', async () => {
    const keeper = await open(who.owner.token!); // the owner's first session, kept throughout
    const login = await who.owner.http.post('/api/users/login', { email: 'owner@test.io', password: 'pw-owner' });
    const leaving = await open(login.body.token); // a second session of the same user
    expect(held()).toBe(1);

    await who.owner.http.post('/api/users/logout', undefined, { Authorization: `JWT ${login.body.token}` });
    await leaving.waitFor('auth:expired', 1, 6000);
    await close(leaving);
    expect(held()).toBe(1); // released at the downgrade, not again at the disconnect: the keeper's user stays
    expect(t.realtime.auth.recipientOf(t.realtime.namespace!.sockets.get(keeper.socket.id!)!).user).toEqual(expect.objectContaining({ id: who.owner.id }));
    await close(keeper);
    expect(held()).toBe(0);
  });
});
