import type { Server, Socket } from 'socket.io';
import type { TestApp } from '../support/app.js';
import { connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp } from '../support/security-fixture.js';
import { sessionIdOf } from '../gateway/support.js';
import { checkpoint } from './support/probes.js';

/** A second careless handler: the server-side `socketsJoin` with whatever the client sends. */
const carelessSocketsJoin = (socket: Socket, io: Server) => {
  socket.on('join-via-server', (room: string, ack?: () => void) => {
    io.of('/').in(socket.id).socketsJoin(room);
    ack?.();
  });
};

/**
 * The fixture's `CarelessRooms` calls `socket.join(anything)`: still, no client gets into the module's own
 * rooms (session, user) or into another socket's own room, so no emit meant for someone else reaches it.
 */
describe('reserved rooms through a careless handler', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  let victim: RecordingSocket; // the owner: session cookie + token
  let admin: RecordingSocket;
  let attacker: RecordingSocket; // anonymous, its own session
  const rooms = () => t.realtime.namespace!.adapter.rooms;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url, { onConnect: [carelessSocketsJoin] });
    who = await people(t);
    victim = await connectSocket(t.url, { cookie: who.owner.http.cookieHeader, auth: { token: who.owner.token } });
    admin = await connectSocket(t.url, { auth: { token: who.admin.token } });
    attacker = await connectSocket(t.url, { cookie: who.anonymous.http.cookieHeader });
  });

  afterAll(async () => {
    for (const socket of [victim, admin, attacker]) socket?.close();
    await t?.close();
    await db?.drop();
  });

  it('refuses the real session and user room names and made-up reserved names', async () => {
    const victimSession = t.realtime.rooms.session(sessionIdOf(who.owner.http.cookies.get('connect.sid')!));
    const victimUser = t.realtime.rooms.user('users', who.owner.id!);
    const adminUser = t.realtime.rooms.user('users', who.admin.id!);
    expect(rooms().get(victimSession)).toEqual(new Set([victim.socket.id])); // the names are right: the module uses them
    expect(rooms().get(victimUser)).toEqual(new Set([victim.socket.id]));
    expect(rooms().get(adminUser)).toEqual(new Set([admin.socket.id]));

    const attempts: unknown[] = [victimSession, victimUser, adminUser, 'nps:', 'nps:s:guess', 'nps:u:1', [victimSession, 'harmless'], [[victimUser]], victim.socket.id, admin.socket.id];
    for (const room of attempts) await attacker.emitWithAck('join', room);
    for (const room of [victimSession, victimUser, adminUser]) await attacker.emitWithAck('join-via-server', room);

    // The module's rooms the attacker is in: its own session's only. (`[[name]]` made a room keyed by an array
    // object, which no emit can address; other sockets' id rooms are Socket.IO's, see the next test.)
    const reserved = [...rooms()].filter(([name, members]) => typeof name === 'string' && name.startsWith('nps:') && members.has(attacker.socket.id!));
    const ownSession = t.realtime.rooms.session(sessionIdOf(who.anonymous.http.cookies.get('connect.sid')!));
    expect(reserved.map(([name]) => name)).toEqual([ownSession]);
    console.log(`careless handler: ${attempts.length + 3} join attempts, none into a module room`);
    expect(rooms().get('harmless')).toEqual(new Set([attacker.socket.id])); // the handler did join what it was given
    expect(rooms().get(victimSession)).toEqual(new Set([victim.socket.id]));
    expect(rooms().get(victimUser)).toEqual(new Set([victim.socket.id]));
    expect(rooms().get(adminUser)).toEqual(new Set([admin.socket.id]));
  });

  // The attacker may sit in the victim's and the admin's id rooms (a careless handler joined them): documents
  // addressed to chosen sockets must still reach those sockets only.
  it('so the victim\'s `self` emits and its owner-only documents never reach the attacker', async () => {
    const all = [victim, admin, attacker];
    const since = checkpoint(all);
    const headers = { Authorization: `JWT ${who.owner.token}` };
    expect((await who.owner.http.post('/api/open?depth=0', { title: 'self|true' }, headers)).status).toBe(201);
    expect((await who.owner.http.post('/api/owned?depth=0', { title: 'public|true' }, headers)).status).toBe(201);
    await t.settle(all);
    const events = (socket: RecordingSocket) => since(socket).map((e) => e.event);
    expect(events(victim)).toEqual(['self.open.create', 'public.owned.create']);
    expect(events(admin)).toEqual(['public.owned.create']);
    expect(events(attacker)).toEqual([]);
  });
});
