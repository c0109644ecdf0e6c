import { createSampleApp } from '../../sample/app.js';
import { listen, type TestApp } from '../support/app.js';
import { HttpClient, connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { sessionIdOf } from '../gateway/support.js';
import { checkpoint } from './support/probes.js';

interface Browser {
  name: string;
  http: HttpClient;
  token?: string;
  id?: number | string;
  socket: RecordingSocket;
}

const SECRETS = ['token', 'refreshedToken', 'hash', 'salt', 'sessions', '_sid', 'apiKey', 'apiKeyIndex', 'resetPasswordToken', '_verificationToken'];
const keysDeep = (value: unknown): string[] =>
  value && typeof value === 'object' ? Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]) : [];

/** The sample (CONTRACT.md): notes reach exactly who may read them; login reaches its session, tokenless; rooms. */
describe('the sample, secure by default', () => {
  let db: TestDatabase;
  let t: TestApp;
  const browsers: Record<'admin' | 'owner' | 'other' | 'anonymous', Browser> = {} as never;
  const all = () => Object.values(browsers).map((b) => b.socket);
  const jwt = (browser: Browser) => ({ Authorization: `JWT ${browser.token}` });

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await listen(await createSampleApp({ databaseUrl: db.url, secret: 'sample-access-secret' }));
    const admin = new HttpClient(t.url);
    const registered = await admin.post('/api/users/first-register', { email: 'admin@test.io', password: 'pw-admin' });
    expect(registered.body.user.role).toBe('admin');
    const browser = async (name: string, http: HttpClient, token?: string, id?: number | string): Promise<Browser> => ({
      name, http, token, id, socket: await connectSocket(t.url, { cookie: http.cookieHeader, auth: token ? { token } : undefined }),
    });
    browsers.admin = await browser('admin', admin, registered.body.token, registered.body.user.id);
    for (const name of ['owner', 'other'] as const) {
      expect((await admin.post('/api/users', { email: `${name}@test.io`, password: `pw-${name}` }, jwt(browsers.admin))).status).toBe(201);
      const http = new HttpClient(t.url);
      const login = await http.post('/api/users/login', { email: `${name}@test.io`, password: `pw-${name}` });
      browsers[name] = await browser(name, http, login.body.token, login.body.user.id);
    }
    const anonymous = new HttpClient(t.url);
    await anonymous.get('/api/posts'); // a page load: a session cookie
    browsers.anonymous = await browser('anonymous', anonymous);
  });

  afterAll(async () => {
    for (const socket of all()) socket?.close();
    await t?.close();
    await db?.drop();
  });

  /** What each browser's own REST GET of the note returns (depth 0), or undefined when it may not read it. */
  const restView = async (browser: Browser, id: unknown) => {
    const response = await new HttpClient(t.url).get(`/api/notes/${id}?depth=0`, browser.token ? jwt(browser) : {});
    return response.status === 200 ? response.body : undefined;
  };

  it('delivers notes (create, updateByID) to the owner and admins only, the secret to admins only', async () => {
    let cases = 0;
    const { owner } = browsers;
    let since = checkpoint(all());
    const created = await owner.http.post('/api/notes', { title: 'my note', secret: 'owner wrote it' }, jwt(owner));
    expect(created.status).toBe(201);
    const id = created.body.doc.id;
    await t.settle(all());
    for (const [operation, change] of [['create', undefined], ['updateByID', { title: 'my note, edited' }]] as const) {
      if (change) {
        since = checkpoint(all());
        expect((await owner.http.patch(`/api/notes/${id}`, change, jwt(owner))).status).toBe(200);
        await t.settle(all());
      }
      for (const browser of Object.values(browsers)) {
        cases += 1;
        const view = await restView(browser, id);
        const expected = view === undefined ? [] : [{ event: `public.notes.${operation}`, data: view }];
        expect({ who: browser.name, operation, received: since(browser.socket) }).toEqual({ who: browser.name, operation, received: expected });
      }
    }
    const latest = (name: keyof typeof browsers) => browsers[name].socket.named('public.notes.updateByID').at(-1);
    expect(latest('admin')).toEqual(expect.objectContaining({ secret: 'owner wrote it', owner: owner.id }));
    expect(latest('owner')).toEqual(expect.objectContaining({ title: 'my note, edited', owner: owner.id }));
    expect(latest('owner')).not.toHaveProperty('secret');
    console.log(`sample notes: ${cases} recipient cases`);
  });

  it('tells every tab of the session that logs in, with no token, hash, salt or session list', async () => {
    const http = new HttpClient(t.url);
    await http.get('/api/posts');
    const tabs = [await connectSocket(t.url, { cookie: http.cookieHeader }), await connectSocket(t.url, { cookie: http.cookieHeader })];
    const watched = [...tabs, ...all()];
    const since = checkpoint(watched);
    const login = await http.post('/api/users/login', { email: 'other@test.io', password: 'pw-other' });
    expect(login.status).toBe(200);
    await t.settle(watched);
    try {
      for (const tab of tabs) {
        const received = since(tab);
        expect(received.map((e) => e.event)).toEqual(['self.users.login']);
        const data = received[0].data as { user: { id: unknown; email: string } };
        expect(data.user).toEqual(expect.objectContaining({ id: login.body.user.id, email: 'other@test.io' }));
        expect(keysDeep(data).filter((key) => SECRETS.includes(key))).toEqual([]);
        expect(JSON.stringify(data)).not.toContain(login.body.token);
      }
      for (const socket of all()) expect(since(socket)).toEqual([]); // other sessions, the same user's included
    } finally {
      for (const tab of tabs) tab.close();
    }
  });

  it("refuses the module's rooms through the sample's join handler, so another session's `self` never arrives", async () => {
    const { owner, anonymous } = browsers;
    const names = [
      t.realtime.rooms.session(sessionIdOf(owner.http.cookies.get('connect.sid')!)),
      t.realtime.rooms.user('users', owner.id!),
      'nps:',
      'nps:u:1',
      owner.socket.socket.id,
    ];
    for (const room of names) {
      expect(await anonymous.socket.emitWithAck('join', room)).toEqual({ error: expect.stringContaining('cannot be joined') });
      expect(t.realtime.namespace!.adapter.rooms.get(room!)?.has(anonymous.socket.socket.id!) ?? false).toBe(false);
    }
    const since = checkpoint(all());
    expect((await owner.http.post('/api/posts', { title: 'hello' }, jwt(owner))).status).toBe(201);
    await t.settle(all());
    expect(since(owner.socket).map((e) => e.event).sort()).toEqual(['public.posts.create', 'self.posts.create']);
    expect(since(anonymous.socket).map((e) => e.event)).toEqual(['public.posts.create']);
    console.log(`sample join handler: ${names.length} reserved names refused`);
  });
});
