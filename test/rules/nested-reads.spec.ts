import { buildConfig } from 'payload';
import { databaseAdapter } from '../../sample/payload.config.js';
import { PayloadSocketModule, payloadSocketPlugin } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient, connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { closeAll } from '../support/teardown.js';

/**
 * Payload populates relationships with reads of its own; a read the requester may not make returns early,
 * without its afterOperation. Such a read must not make the write it belongs to look nested (and silent).
 */
describe('operations whose population reads are denied', () => {
  let db: TestDatabase;
  let t: TestApp;
  let socket: RecordingSocket;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startApp({
      imports: [
        PayloadSocketModule.forRoot({
          config: buildConfig({
            secret: 'nested-reads-secret',
            db: databaseAdapter(db.url),
            typescript: { autoGenerate: false },
            telemetry: false,
            collections: [
              { slug: 'users', auth: true, fields: [] }, // default read access: logged-in users only
              {
                slug: 'messages',
                access: { read: () => true, create: () => true },
                fields: [
                  { name: 'text', type: 'text' },
                  { name: 'to', type: 'relationship', relationTo: 'users' },
                ],
                custom: { socketAccess: { create: (_a: unknown, _r: unknown, result: { text: string }) => ({ public: { text: result.text } }) } },
              },
            ],
            plugins: [payloadSocketPlugin()],
          }),
        }),
      ],
    });
    socket = await connectSocket(t.url);
  });

  afterAll(() => closeAll(socket, t, db));

  it('still emits the write, once per request, request after request', async () => {
    const user = await t.payload.create({ collection: 'users', data: { email: 'to@test.io', password: 'long enough password' } });
    const anonymous = new HttpClient(t.url);
    for (const text of ['first', 'second']) {
      // Default depth: Payload tries to populate `to` as the anonymous requester, who may not read users.
      const created = await anonymous.post('/api/messages', { text, to: user.id });
      expect(created.status).toBe(201);
      expect(created.body.doc.to).toBe(user.id);
    }
    await t.settle([socket]);
    expect(socket.named('public.messages.create')).toEqual([{ text: 'first' }, { text: 'second' }]);
  });
});
