import { createSampleApp } from '../../sample/app.js';
import { listen, type TestApp } from '../support/app.js';
import { ALL_LABELS, TABS, audience, browser, expectedReceipts, type Audience, type Label } from './support/audience.js';
import { RULE_DATABASES, asSent, rulesDatabase, type RulesDatabase } from './support/harness.js';
import { closeAll } from '../support/teardown.js';

/**
 * Done-when 3: the seed README's two examples, as the sample app writes them (a decorated provider for create,
 * `custom.socketAccess` for updateByID), with rooms joined through the sample's own `join` handler.
 */
const LOREM_MEMBERS: Label[] = ['tab3', 'member'];

describe.each(RULE_DATABASES)('the seed README examples on the sample app (%s)', (kind) => {
  let db: RulesDatabase;
  let t: TestApp;
  let people: Audience;

  beforeAll(async () => {
    db = await rulesDatabase(kind);
    t = await listen(await createSampleApp({ databaseUrl: db.url, secret: `sample-readme-${kind}`, allowedOrigins: [] }));
    const requester = await browser(t);
    const registered = await requester.post('/api/users/first-register', { email: 'writer@example.com', password: 'writer password' });
    expect(registered.status).toBe(200);
    people = await audience(t, requester);
    for (const label of LOREM_MEMBERS) expect(await people.sockets[label].emitWithAck('join', 'lorem')).toEqual(['lorem']);
    people.sockets.other.socket.emit('mario-luigi', 'Mario'); // another room: hears nothing of lorem
    expect(await people.sockets.other.emitWithAck('join', 'mario')).toEqual(['mario']);
    await people.settle();
  });

  afterAll(() => closeAll(people, t, db));

  it('create: the result with hello: world to everyone, the result to every tab of the writer, ipsum to lorem', async () => {
    people.reset();
    const created = await people.requester.post('/api/posts', { title: 'Hello from the README' });
    expect(created.status).toBe(201);
    await people.settle();

    expect(people.received()).toEqual(
      expectedReceipts({ 'public.posts.create': ALL_LABELS, 'self.posts.create': TABS, 'lorem.posts.create': LOREM_MEMBERS }),
    );
    const doc = asSent(created.body.doc);
    for (const label of ALL_LABELS) expect(people.data(label, 'public.posts.create')).toEqual([{ ...doc, hello: 'world' }]);
    for (const label of TABS) expect(people.data(label, 'self.posts.create')).toEqual([doc]);
    for (const label of LOREM_MEMBERS) expect(people.data(label, 'lorem.posts.create')).toEqual(['ipsum']);
  });

  it('updateByID: the result to everyone and to the writer, ipsum to lorem', async () => {
    const { id } = await t.payload.create({ collection: 'posts', data: { title: 'to be edited' } });
    await people.settle();
    people.reset();
    const updated = await people.requester.patch(`/api/posts/${id}`, { title: 'edited' });
    expect(updated.status).toBe(200);
    await people.settle();

    expect(people.received()).toEqual(
      expectedReceipts({ 'public.posts.updateByID': ALL_LABELS, 'self.posts.updateByID': TABS, 'lorem.posts.updateByID': LOREM_MEMBERS }),
    );
    const doc = asSent(updated.body.doc);
    expect(doc).toMatchObject({ id, title: 'edited' });
    for (const label of ALL_LABELS) expect(people.data(label, 'public.posts.updateByID')).toEqual([doc]);
    for (const label of TABS) expect(people.data(label, 'self.posts.updateByID')).toEqual([doc]);
    for (const label of LOREM_MEMBERS) expect(people.data(label, 'lorem.posts.updateByID')).toEqual(['ipsum']);
  });

  it('a write by someone else reaches the writer\'s tabs as public only', async () => {
    const stranger = await browser(t);
    const login = await stranger.post('/api/users/login', { email: 'writer@example.com', password: 'writer password' });
    expect(login.status).toBe(200);
    await people.settle();
    people.reset();
    const created = await stranger.post('/api/posts', { title: 'from another browser' });
    expect(created.status).toBe(201);
    await people.settle();
    // Same user, other browser session: `self` is the session, so none of the watched sockets is "self".
    expect(people.received()).toEqual(expectedReceipts({ 'public.posts.create': ALL_LABELS, 'lorem.posts.create': LOREM_MEMBERS }));
  });
});
