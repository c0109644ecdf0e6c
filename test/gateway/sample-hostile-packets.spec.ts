import { connectSocket, HttpClient, waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startSampleProcess, type SampleProcess } from '../support/sample-process.js';

/** `["join", [[[…5,000 levels…]]]]` with ack id 1, as raw Socket.IO text (JSON.stringify itself would overflow here). */
const DEEP_JOIN = `21["join",${'['.repeat(5000)}${']'.repeat(5000)}]`;

/**
 * Issue 13 (1): one 10 KB packet from an anonymous client ended the sample's process (its `join` listener overflowed
 * the stack, the rejection was unhandled and Node exits on those). The sample runs in its own process here, as in
 * production, so a crash shows as its exit.
 */
describe('the sample process under a hostile packet', () => {
  let db: TestDatabase;
  let sample: SampleProcess;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    sample = await startSampleProcess({ databaseUrl: db.url, secret: 'sample-hostile-packets' });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await sample?.stop();
    await db?.drop();
  });

  it('survives a 5,000-level nested join from an anonymous client, answers it, and serves a bystander', async () => {
    const registered = await new HttpClient(sample.url).post('/api/users/first-register', { email: 'admin@test.io', password: 'pw-admin' });
    expect(registered.status).toBe(200);
    const admin = new HttpClient(sample.url, { authorization: `JWT ${registered.body.token}` }); // a Node client: no cookie auth
    const bystander = await connectSocket(sample.url, { auth: { token: registered.body.token } });
    const attacker = await connectSocket(sample.url);
    sockets.push(bystander, attacker);

    // The answer to ack id 1, read below Socket.IO (the client registered no ack of its own for it).
    const answers: string[] = [];
    attacker.socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type === 'message' && typeof packet.data === 'string' && packet.data.startsWith('31')) answers.push(packet.data);
    });
    (attacker.socket.io.engine as unknown as { write(data: string): void }).write(DEEP_JOIN);
    (attacker.socket.io.engine as unknown as { write(data: string): void }).write(DEEP_JOIN.replace(/^21/, '2')); // no ack
    await waitUntil(() => answers.length > 0 || sample.exited() !== undefined, 10_000, 'an answer to the deep join');
    expect({ exited: sample.exited(), output: sample.exited() ? sample.output().slice(-2000) : '' }).toEqual({ exited: undefined, output: '' });
    expect(JSON.parse(answers[0].slice(2))).toEqual([{ error: expect.stringMatching(/nested too deeply/) }]);
    await attacker.waitFor('error');

    // The attacker's socket is still served, and so is everybody else.
    expect(await attacker.emitWithAck('join', 'lorem')).toEqual(['lorem']);
    expect((await admin.get('/api/posts')).status).toBe(200);
    expect((await admin.post('/api/posts', { title: 'after the attack' })).status).toBe(201);
    const [event] = (await bystander.waitFor('public.posts.create')) as { title: string }[];
    expect(event.title).toBe('after the attack');
    expect(sample.exited()).toBeUndefined();
  });
});
