import { ALL_LABELS, TABS, audience, expectedReceipts, type Audience } from './support/audience.js';
import { RULE_DATABASES, openCollection, openUsers, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { REQUESTER } from './support/operations.js';
import { closeAll } from '../support/teardown.js';

/**
 * Done-when 7: the user lookup Payload's JWT strategy runs on every authenticated request is bookkeeping: it must
 * not fire `users` `findByID` rules, nor do the finds that populate relationships. Only what the request asked for does.
 */
const lookup = { public: 'users.findByID fired', self: true };

describe.each(RULE_DATABASES)('authentication lookups do not emit (%s)', (kind) => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;
  let token: string;
  let userId: number | string;

  beforeAll(async () => {
    db = await rulesDatabase(kind);
    t = await startRulesApp({
      db,
      collections: [
        openUsers({ custom: { socketAccess: { findByID: lookup, find: lookup } } }),
        openCollection('posts', {
          access: { read: ({ req }) => Boolean(req.user), create: () => true },
          fields: [{ name: 'title', type: 'text', required: true }, { name: 'author', type: 'relationship', relationTo: 'users' }],
          custom: { socketAccess: { find: { public: 'posts.find' } } },
        }),
      ],
    });
    userId = (await t.payload.create({ collection: 'users', data: { ...REQUESTER } })).id;
    await t.payload.create({ collection: 'posts', data: { title: 'with an author', author: userId } });
    people = await audience(t);
    const login = await people.requester.post('/api/users/login', REQUESTER);
    expect(login.status).toBe(200);
    token = login.body.token;
    expect(people.requester.cookies.get('payload-token')).toBe(token);
  });

  afterAll(() => closeAll(people, t, db));

  beforeEach(async () => {
    await people.settle();
    people.reset();
  });

  it('GET /api/posts with the JWT in the Authorization header and the cookie fires no users rule', async () => {
    const posts = await people.requester.get('/api/posts', { authorization: `JWT ${token}` });
    expect(posts.status).toBe(200); // posts are for logged-in readers: the request really was authenticated
    const graphql = await people.requester.post('/api/graphql', { query: '{ Posts { docs { id } } }' }, { authorization: `JWT ${token}` });
    expect(graphql.body.errors).toBeUndefined();
    expect((await people.otherBrowser.get('/api/posts')).status).toBe(403); // without the JWT: refused

    await people.settle();
    expect(people.received()).toEqual(twice(ALL_LABELS));
  });

  it('populating authors (inside the REST find; after it in GraphQL) fires no users rule', async () => {
    const rest = await people.requester.get('/api/posts?depth=2');
    expect(rest.body.docs[0].author.email).toBe(REQUESTER.email);
    const graphql = await people.requester.post('/api/graphql', { query: '{ Posts { docs { title author { email } } } }' });
    expect(graphql.body.data.Posts.docs[0].author.email).toBe(REQUESTER.email);
    await people.settle();
    expect(people.received()).toEqual(twice(ALL_LABELS));
  });

  it('a direct GET /api/users/:id (authenticated) fires the users findByID rule once per target', async () => {
    const user = await people.requester.get(`/api/users/${userId}`, { authorization: `JWT ${token}` });
    expect(user.status).toBe(200);
    await people.settle();
    expect(people.received()).toEqual(expectedReceipts({ 'public.users.findByID': ALL_LABELS, 'self.users.findByID': TABS }));
    expect(people.data('tab1', 'self.users.findByID')).toEqual([expect.objectContaining({ id: userId, email: REQUESTER.email })]);
  });
});

/** `public.posts.find` twice (REST and GraphQL) for every socket, and nothing else. */
function twice(labels: string[]) {
  return Object.fromEntries(labels.map((label) => [label, ['public.posts.find', 'public.posts.find']]));
}
