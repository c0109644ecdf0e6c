import { createSampleApp } from '../../../sample/app.js';
import { listen, type TestApp } from '../../support/app.js';
import { HttpClient } from '../../support/clients.js';
import { freshDatabase, type TestDatabase } from '../../support/databases.js';
import { createdId, expectParity, mark, openViewer, restAs, type Person, type Viewer } from './support/parity.js';

/**
 * Class 11 of issue 12: in the sample, a note's owner is its creator (CONTRACT.md) and no client can change it —
 * not on create, not on update, admins included — so a note never moves into another user's view.
 */
describe('the sample: a note keeps its creator as owner', () => {
  let db: TestDatabase;
  let t: TestApp;
  const who = {} as Record<'admin' | 'owner' | 'other', Person>;
  let viewers: Viewer[];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await listen(await createSampleApp({ databaseUrl: db.url, secret: 'sample-owner-secret' }));
    const registered = await new HttpClient(t.url).post('/api/users/first-register', { email: 'admin@test.io', password: 'pw-admin' });
    who.admin = { name: 'admin', token: registered.body.token, id: registered.body.user.id };
    for (const name of ['owner', 'other'] as const) {
      expect((await restAs(t, who.admin).post('/api/users', { email: `${name}@test.io`, password: `pw-${name}` })).status).toBe(201);
      const login = await new HttpClient(t.url).post('/api/users/login', { email: `${name}@test.io`, password: `pw-${name}` });
      who[name] = { name, token: login.body.token, id: login.body.user.id };
    }
    viewers = await Promise.all([
      ...(['admin', 'owner', 'other'] as const).map((name) => openViewer(t, name, who[name], 'jwt')),
      openViewer(t, 'anonymous', { name: 'anonymous' }, 'none'),
    ]);
  });

  afterAll(async () => {
    for (const viewer of viewers ?? []) viewer.socket.close();
    await t?.close();
    await db?.drop();
  });

  const ownerOf = async (id: unknown) => (await restAs(t, who.admin).get(`/api/notes/${id}?depth=0`)).body.owner;

  it('POST with another owner: the creator owns the note', async () => {
    const since = mark(viewers);
    const id = createdId(await restAs(t, who.owner).post('/api/notes', { title: 'mine', secret: 's1', owner: who.other.id }));
    expect(await ownerOf(id)).toBe(who.owner.id);
    await expectParity(t, 'public.notes.create', id, viewers, since, { owner: 200, other: 404 });
  });

  it.each(['owner', 'admin'] as const)('PATCH { owner: <other user> } by the %s does not reassign the note', async (writer) => {
    const id = createdId(await restAs(t, who.owner).post('/api/notes', { title: 'kept', secret: 's2' }));
    await t.settle(viewers.map((v) => v.socket));
    const since = mark(viewers);
    const patched = await restAs(t, who[writer]).patch(`/api/notes/${id}`, { title: 'kept, edited', owner: who.other.id });
    expect(patched.status).toBe(200);
    expect(await ownerOf(id)).toBe(who.owner.id);
    expect((await restAs(t, who.admin).get(`/api/notes/${id}?depth=0`)).body.title).toBe('kept, edited'); // the rest of the edit went through
    await expectParity(t, 'public.notes.updateByID', id, viewers, since, { owner: 200, other: 404 });
  });
});
