import { Injectable } from '@nestjs/common';
import { OnConnect, PayloadSocketModule, SocketAccess } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { foundationConfig } from './fixtures.js';

const calls = { rule: 0, onConnect: 0 };

@Injectable()
class CountingRules {
  @SocketAccess('posts', 'create')
  created() {
    calls.rule++;
    return { public: true };
  }

  @OnConnect()
  connected() {
    calls.onConnect++;
  }
}

async function startWith(enabled: boolean, db: TestDatabase): Promise<TestApp> {
  return startApp({
    imports: [PayloadSocketModule.forRoot({ config: foundationConfig(db.url, `disabled-spec-${enabled}`), enabled })],
    providers: [CountingRules],
  });
}

/** `enabled: false` (the seed's switch): Payload and its API run; no Socket.IO server, no emits. */
describe('PayloadSocketModule with enabled: false', () => {
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];
  const sockets: RecordingSocket[] = [];

  beforeEach(async () => {
    calls.rule = 0;
    calls.onConnect = 0;
    const db = await freshDatabase('sqlite');
    databases.push(db);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const app of apps) await app.close();
    for (const db of databases) await db.drop();
  });

  it('enabled (the control): sockets connect and the create rule emits', async () => {
    const t = await startWith(true, databases.at(-1)!);
    apps.push(t);
    const socket = await connectSocket(t.url);
    sockets.push(socket);
    expect((await new HttpClient(t.url).post('/api/posts', { title: 'heard' })).status).toBe(201);
    await socket.waitFor('public.posts.create');
    expect(calls).toEqual({ rule: 1, onConnect: 1 });
  });

  it('disabled: serves the API, creates no Socket.IO server and runs no rule', async () => {
    const t = await startWith(false, databases.at(-1)!);
    apps.push(t);
    const http = new HttpClient(t.url);
    expect(t.realtime.namespace).toBeUndefined();

    for (const transports of [['websocket'], ['polling']] as const) {
      await expect(connectSocket(t.url, { transports: [...transports] })).rejects.toThrow();
    }
    // no Socket.IO endpoint at all: its path is an ordinary unknown route
    expect((await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(404);

    const created = await http.post('/api/posts', { title: 'unheard' });
    expect(created.status).toBe(201);
    await t.payload.create({ collection: 'posts', data: { title: 'unheard, local' } });
    expect((await http.get('/api/posts')).body.totalDocs).toBe(2);
    await t.realtime.idle();
    expect(calls).toEqual({ rule: 0, onConnect: 0 });
  });
});
