import { randomBytes } from 'node:crypto';
import { RoomsHandler } from '../../sample/rooms.handler.js';
import { PayloadSocketModule } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { type CapturedLogger, closeFully, gatewayConfig, RawPolling, SessionProbe, startGatewayApp } from './support.js';

/** Socket.IO packets no real client sends: each on its own connection, and the server must carry on. */
const TEXT_PACKETS: string[] = [
  '42[',
  '42["x"',
  '4',
  '4{',
  '42{"a":1}',
  '42[1,2,3]',
  '42[null]',
  '42[]',
  '42["disconnect"]',
  '42["connect"]',
  '42["newListener","join"]',
  '43[',
  '431',
  '41junk',
  '451-["join",{"_placeholder":true,"num":0}]',
  '45999999999999-["join"]',
  '42/no-such-namespace,["x"]',
  '40/no-such-namespace,',
  '42["join"]',
  '421["join"]',
  '42["join",{"__proto__":{"polluted":true}}]',
  '42["mario-luigi",{"toLowerCase":"not a function"}]',
  '42["mario-luigi","mario","extra",{"x":[[[[[[]]]]]]}]',
  `42${JSON.stringify(['e'.repeat(90_000), 1])}`, // a huge event name, under the 100 kB message limit
  `42${'['.repeat(50_000)}`, // deep nesting: JSON.parse must not blow the stack of the server
  '\u0000\u001e\u001e',
  '6',
  '9',
];

describe('malformed Socket.IO packets', () => {
  let db: TestDatabase;
  let t: TestApp & { logger: CapturedLogger };
  let bystander: RecordingSocket;
  /** Each raw session's last GET: it lets the server finish closing it (else Engine.IO waits 30 s for one). */
  const lastPolls: Promise<unknown>[] = [];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'malformed-secret') })],
      providers: [SessionProbe, RoomsHandler],
    });
    bystander = await connectSocket(t.url);
  });

  afterAll(async () => {
    if (bystander) await closeFully(bystander);
    await t?.close();
    await Promise.all(lastPolls);
    await db?.drop();
  });

  /** The server still serves: the socket connected before all this and a brand-new one both get answers. */
  async function expectServerWorks(): Promise<void> {
    expect(await bystander.emitWithAck('join', 'lorem')).toEqual(['lorem']);
    const fresh = await connectSocket(t.url, { transports: ['polling'] });
    try {
      expect(await fresh.emitWithAck('join', 'mario')).toEqual(['mario']);
    } finally {
      await closeFully(fresh);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  it('over raw HTTP long-polling: every packet is answered or refused, none takes the server down', async () => {
    for (const packet of TEXT_PACKETS) {
      const raw = new RawPolling(t.url);
      expect((await raw.open()).status).toBe(200);
      expect(await raw.send('40')).toBe(200);
      expect((await raw.poll()).body).toMatch(/^40\{"sid":/);
      lastPolls.push((await raw.holdPoll(t.realtime)).answered);
      expect([200, 400]).toContain(await raw.send(packet));
    }
    const junk = new RawPolling(t.url);
    await junk.open();
    lastPolls.push((await junk.holdPoll(t.realtime)).answered);
    expect([200, 400]).toContain(await junk.send(randomBytes(4096)));
    const oversized = new RawPolling(t.url);
    await oversized.open();
    lastPolls.push((await oversized.holdPoll(t.realtime)).answered);
    expect(await oversized.send('4' + 'x'.repeat(2_000_000))).toBe(413); // over maxHttpBufferSize
    await expectServerWorks();
  });

  /** Writes below Socket.IO, on the client's Engine.IO connection; resolves once the server answered or hung up. */
  async function writeRaw(data: string | Buffer): Promise<'closed' | 'alive'> {
    const socket = await connectSocket(t.url, { transports: ['websocket'] });
    const closed = new Promise<'closed'>((resolve) => socket.socket.once('disconnect', () => resolve('closed')));
    (socket.socket.io.engine as unknown as { write(data: string | Buffer): void }).write(data);
    const alive = socket.emitWithAck('session?').then(
      () => 'alive' as const,
      () => closed,
    );
    const outcome = await Promise.race([closed, alive]);
    await closeFully(socket);
    return outcome;
  }

  it('over a raw websocket: text and binary junk, a huge frame — the server carries on', async () => {
    const outcomes = new Map<string, string>();
    for (const packet of TEXT_PACKETS) outcomes.set(packet.slice(0, 40), await writeRaw(packet));
    outcomes.set('binary junk', await writeRaw(randomBytes(4096)));
    outcomes.set('binary without header', await writeRaw(Buffer.from([0xff, 0x00, 0x1e])));
    outcomes.set('2 MB frame', await writeRaw('4' + 'x'.repeat(2_000_000)));
    // Unparseable packets cost the sender its connection; nothing else.
    expect(outcomes.get('42[')).toBe('closed');
    expect(outcomes.get('binary junk')).toBe('closed');
    expect(outcomes.get('2 MB frame')).toBe('closed');
    await expectServerWorks();
  });

  it('logs nothing as an error of the module', () => {
    expect(t.logger.messages('error')).toEqual([]);
  });
});
