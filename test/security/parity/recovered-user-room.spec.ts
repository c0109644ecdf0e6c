import { io } from 'socket.io-client';
import { RecordingSocket, waitUntil } from '../../support/clients.js';
import { logIn, loggedIn, restAs, scene, writable, type Person } from './support/parity.js';

/**
 * Class 10 of issue 12: with missed-event recovery on, Socket.IO replays what was sent to the rooms a socket was
 * in while it was away. A packet addressed to a user's room (`realtime.toUser`) while the socket was away must
 * not reach it when it comes back as someone else (logged out meanwhile, or reconnecting without a token):
 * replayed before its new identity is checked, it would land on a socket that is no longer that user.
 */
describe('recovery never replays a user-room packet to a socket that is no longer that user', () => {
  const s = scene('sqlite', { collections: [writable('memos', [{ name: 'title', type: 'text' }], loggedIn, ['create'])] }, {
    auth: { recheckSeconds: 3600 }, // no periodic re-check inside the test
    recovery: { maxDisconnectionDuration: 60_000 },
  });
  const clients: RecordingSocket[] = [];
  afterAll(() => clients.forEach((c) => c.socket.disconnect()));

  /**
   * A tab of the owner (its own login) whose handshake credential is read from `credential` each time it
   * connects; reconnects only when told to (so the test decides what happens while it is away).
   */
  const ownerTab = async () => {
    const tab = await logIn(s.t, s.who.owner);
    const credential: { token?: string } = { token: tab.token };
    const socket = io(s.t.url, { transports: ['websocket'], auth: (cb) => cb({ ...credential }), reconnection: false, forceNew: true });
    const recording = new RecordingSocket(socket);
    clients.push(recording);
    await waitUntil(() => socket.connected, 5000, 'the owner tab to connect');
    // It is in the owner's room: a packet to the room reaches it (and gives it an offset to resume from).
    s.t.realtime.toUser('users', s.who.owner.id!).emit('private.hello', { to: 'owner' });
    await recording.waitFor('private.hello');
    return { tab, credential, recording };
  };

  /** Drops the transport (a network failure), runs `meanwhile` once the server saw it go, comes back. */
  const away = async (recording: RecordingSocket, meanwhile: () => Promise<void>) => {
    const id = recording.socket.id!;
    recording.socket.io.engine.close();
    await waitUntil(() => !s.t.realtime.namespace!.sockets.has(id), 5000, 'the server to notice the drop');
    await meanwhile();
    recording.socket.connect();
    await waitUntil(() => recording.socket.connected, 5000, 'the tab to come back');
    expect(recording.socket.recovered).toBe(true);
    expect(recording.socket.id).toBe(id);
    await s.t.settle([recording]);
  };

  const whileAway = { for: 'the owner only', secret: 'owner-only' };
  const sendToOwner = () => s.t.realtime.toUser('users', s.who.owner.id!).emit('private.note', whileAway);
  const logout = (tab: Person) => restAs(s.t, tab).post('/api/users/logout').then((r) => expect(r.status).toBe(200));

  it('still the owner (the same valid token): recovered, and in its user room again (the control)', async () => {
    const { recording } = await ownerTab();
    await away(recording, async () => void s.t.realtime.namespace!.emit('everyone.note', { for: 'everyone' }));
    expect(recording.named('everyone.note')).toEqual([{ for: 'everyone' }]);
    // Whether the packets a user room got meanwhile are replayed to the same user is the engine's choice (never
    // replaying them is the fail-closed one); once back, the room reaches it again.
    sendToOwner();
    await recording.waitFor('private.note');
  });

  it.each([
    ['logged out while away, back with its stale token', true, 'stale'],
    ['logged out while away, back with no token', true, 'none'],
    ['not logged out, back with no token', false, 'none'],
  ] as const)('%s: the packet sent to the user room meanwhile is not replayed', async (_what, logsOut, back) => {
    const { tab, credential, recording } = await ownerTab();
    await away(recording, async () => {
      if (logsOut) await logout(tab);
      if (back === 'none') delete credential.token;
      sendToOwner();
      s.t.realtime.namespace!.emit('everyone.note', { for: 'everyone' });
    });
    // Recovery did replay what was missed (the broadcast), so the test is not vacuous — but not the user's packet.
    expect(recording.named('everyone.note')).toEqual([{ for: 'everyone' }]);
    expect(recording.named('private.note')).toEqual([]);
    // And, as REST would say, this socket is not the owner any more: a later packet to the room does not reach it.
    sendToOwner();
    await s.t.settle([recording]);
    expect(recording.named('private.note')).toEqual([]);
  });
});
