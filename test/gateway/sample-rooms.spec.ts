import { createSampleApp } from '../../sample/app.js';
import { listen, type TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { sessionRoomOf, socketsIn } from './support.js';

/** The sample's `RoomsHandler` (CONTRACT.md): `mario-luigi`, and `join` with an allow-list. */
describe('the sample\'s room handlers', () => {
  let db: TestDatabase;
  let t: TestApp;
  const sockets: RecordingSocket[] = [];
  const open = async (cookie?: string) => {
    const socket = await connectSocket(t.url, { cookie });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await listen(await createSampleApp({ databaseUrl: db.url, secret: 'sample-rooms-secret' }));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('mario-luigi joins "mario" or "luigi" in any case, and nothing else', async () => {
    const socket = await open();
    const other = await open();
    socket.socket.emit('mario-luigi', 'MaRiO');
    socket.socket.emit('mario-luigi', 'peach');
    socket.socket.emit('mario-luigi', { room: 'luigi' });
    other.socket.emit('mario-luigi', 'luigi');
    // Events of one socket are handled in order: this ack comes after the three above.
    expect(await socket.emitWithAck('join', 'lorem')).toEqual(['mario', 'lorem']);
    expect(await other.emitWithAck('join', 'mario')).toEqual(['luigi', 'mario']);
    expect(socketsIn(t.realtime, 'mario').sort()).toEqual([socket.socket.id, other.socket.id].sort());
    expect(socketsIn(t.realtime, 'luigi')).toEqual([other.socket.id]);
    expect(t.realtime.namespace!.adapter.rooms.has('peach')).toBe(false);
    expect(t.realtime.namespace!.adapter.rooms.has('[object Object]')).toBe(false);
  });

  it('join acknowledges the visible rooms only: no socket id, no module room', async () => {
    const http = new HttpClient(t.url);
    await http.get('/api/posts');
    const socket = await open(http.cookieHeader);
    const sessionRoom = sessionRoomOf(t.realtime, http.cookies.get('connect.sid')!);
    expect(socketsIn(t.realtime, sessionRoom)).toEqual([socket.socket.id]); // the module did put it there

    const rooms = (await socket.emitWithAck('join', 'luigi')) as string[];
    expect(rooms).toEqual(['luigi']);
    expect(rooms).not.toContain(socket.socket.id);
    expect(rooms.some((room) => room.startsWith('nps:'))).toBe(false);
  });

  it('refuses rooms outside the allow-list with { error }, reserved names included', async () => {
    const victim = new HttpClient(t.url);
    await victim.get('/api/posts');
    const victimRoom = sessionRoomOf(t.realtime, victim.cookies.get('connect.sid')!);
    const victimSocket = await open(victim.cookieHeader);
    const socket = await open();

    const hostile: unknown[] = [{ toString: 1 }, { toString: 'x', valueOf: 'y' }, 'x'.repeat(50_000), [[[[['lorem']]]]]];
    for (const room of ['admin', 'LOREM', victimRoom, 'nps:u:1', socket.socket.id, '', 42, null, ['lorem'], ...hostile] as unknown[]) {
      const answer = (await socket.emitWithAck('join', room)) as { error?: string };
      expect(answer).toEqual({ error: expect.stringContaining('cannot be joined') });
      expect(answer.error!.length).toBeLessThan(200); // the client's input is not echoed back at any length
    }
    expect(socketsIn(t.realtime, victimRoom)).toEqual([victimSocket.socket.id]);
    expect(socketsIn(t.realtime, 'admin')).toEqual([]);
    expect(socketsIn(t.realtime, 'lorem')).not.toContain(socket.socket.id);
    // A join without an ack callback is handled without an error, and still refused.
    socket.socket.emit('join', victimRoom);
    expect(await socket.emitWithAck('join', 'mario')).toEqual(['mario']);
    expect(socketsIn(t.realtime, victimRoom)).toEqual([victimSocket.socket.id]);
  });
});
