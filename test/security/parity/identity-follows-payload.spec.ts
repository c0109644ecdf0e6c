import { randomUUID } from 'node:crypto';
import type { Access } from 'payload';
import { HttpClient } from '../../support/clients.js';
import {
  adminsOnly, createdId, expectParity, logIn, loggedIn, restAs, scene, writable, type Person, type Viewer,
} from './support/parity.js';

/**
 * Class 7 of issue 12: a logout, a demotion or a deletion made through this module's own Payload takes effect on
 * that user's sockets by the very next emit. The periodic re-check is pushed out of reach (`recheckSeconds:
 * 3600`): only invalidation on the operation itself can pass.
 */
describe('identity follows Payload at once', () => {
  const s = scene('sqlite', {
    collections: [writable('memos', [{ name: 'title', type: 'text' }], loggedIn, ['create']), writable('board', [{ name: 'title', type: 'text' }], adminsOnly, ['create'])],
  }, { auth: { recheckSeconds: 3600 } });

  /** A new user (role as given), logged in, with a socket on its JWT. */
  const newcomer = async (name: string, role: 'admin' | 'user'): Promise<{ person: Person; viewer: Viewer }> => {
    const person: Person = { name, email: `${name}@parity.io`, password: `pw-${name}` };
    expect((await restAs(s.t, s.who.admin).post('/api/users', { email: person.email, password: person.password, role })).status).toBe(201);
    const loggedInPerson = await logIn(s.t, person);
    return { person: loggedInPerson, viewer: await s.open(name, loggedInPerson, 'jwt') };
  };

  it('after a logout with its token, the next emit treats the socket as logged out', async () => {
    const tab = await logIn(s.t, s.who.owner); // a session of its own: the owner's other sessions stay valid
    const viewer = await s.open('owner(logged out)', tab, 'jwt');
    expect((await restAs(s.t, tab).post('/api/users/logout')).status).toBe(200);
    const since = s.mark([viewer, ...s.viewers]);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/memos', { title: 'after logout' }));
    await expectParity(s.t, 'public.memos.create', id, [viewer, ...s.viewers], since, { 'owner(logged out)': 403, owner: 200 });
  });

  it('after a logout through the session cookie, the next emit treats the socket as logged out', async () => {
    const browser = new HttpClient(s.t.url);
    const login = await browser.post('/api/users/login', { email: s.who.other.email, password: s.who.other.password });
    expect(browser.cookies.has('payload-token')).toBe(true);
    const tab: Person = { ...s.who.other, token: login.body.token };
    const viewer = await s.open('other(logged out by cookie)', tab, 'jwt');
    expect((await browser.post('/api/users/logout')).status).toBe(200);
    const since = s.mark([viewer]);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/memos', { title: 'after cookie logout' }));
    await expectParity(s.t, 'public.memos.create', id, [viewer], since, { 'other(logged out by cookie)': 403 });
  });

  it('after a logout of all sessions from another tab, the next emit treats every socket of that user as logged out', async () => {
    const { person, viewer } = await newcomer('roamer', 'user');
    const second = await logIn(s.t, person);
    expect((await restAs(s.t, second).post('/api/users/logout?allSessions=true')).status).toBe(200);
    const since = s.mark([viewer]);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/memos', { title: 'after logging out everywhere' }));
    await expectParity(s.t, 'public.memos.create', id, [viewer], since, { roamer: 403 });
  });

  it('after its API key was disabled by an admin, the next emit treats the API-key socket as nobody', async () => {
    const apiKey = randomUUID();
    const person: Person = { name: 'bot', email: 'bot@parity.io', password: 'pw-bot', apiKey };
    const made = await restAs(s.t, s.who.admin).post('/api/users', { email: person.email, password: person.password, role: 'user', enableAPIKey: true, apiKey });
    expect(made.status).toBe(201);
    const viewer = await s.open('bot(api-key)', { ...person, id: made.body.doc.id }, 'api-key');
    expect((await restAs(s.t, s.who.admin).patch(`/api/users/${made.body.doc.id}`, { enableAPIKey: false })).status).toBe(200);
    const since = s.mark([viewer]);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/memos', { title: 'after the key was disabled' }));
    await expectParity(s.t, 'public.memos.create', id, [viewer], since, { 'bot(api-key)': 403 });
  });

  it('after a demotion (admin → user by an admin), the next emit uses the new role', async () => {
    const { person, viewer } = await newcomer('deputy', 'admin');
    expect((await restAs(s.t, s.who.admin).patch(`/api/users/${person.id}`, { role: 'user' })).status).toBe(200);
    const since = s.mark([viewer, ...s.viewers]);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/board', { title: 'admins only' }));
    await expectParity(s.t, 'public.board.create', id, [viewer, ...s.viewers], since, { deputy: 403, admin: 200 });
  });

  it('after the user was deleted, the next emit treats the socket as nobody', async () => {
    const { person, viewer } = await newcomer('leaver', 'user');
    expect((await restAs(s.t, s.who.admin).delete(`/api/users/${person.id}`)).status).toBe(200);
    const since = s.mark([viewer]);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/memos', { title: 'after deletion' }));
    await expectParity(s.t, 'public.memos.create', id, [viewer], since, { leaver: 403 });
  });
});

/**
 * With `users.auth.depth: 1`, Payload's auth strategies populate the user's relationships, and access may read
 * them (`req.user.org.suspended`). The periodic re-check must re-read the user at that depth: at depth 0 `org`
 * is an id, `.suspended` is undefined, and the access function would allow.
 */
const unlessSuspended: Access = ({ req }) => Boolean(req.user) && (req.user as { org?: { suspended?: boolean } }).org?.suspended !== true;

describe('the re-check keeps the depth of Payload auth', () => {
  const s = scene('sqlite', {
    users: { auth: { depth: 1 }, fields: [{ name: 'org', type: 'relationship', relationTo: 'orgs' }] },
    collections: [
      { slug: 'orgs', access: { read: loggedIn }, fields: [{ name: 'name', type: 'text' }, { name: 'suspended', type: 'checkbox' }] },
      writable('bulletins', [{ name: 'title', type: 'text' }], unlessSuspended, ['create']),
    ],
  }, { auth: { recheckSeconds: 3600 } });

  it('a member of a suspended organisation stays denied after `auth.recheck`', async () => {
    const org = await s.t.payload.create({ collection: 'orgs' as never, data: { name: 'Acme', suspended: true } as never });
    const member: Person = { name: 'member', email: 'member@parity.io', password: 'pw-member' };
    expect((await restAs(s.t, s.who.admin).post('/api/users', { email: member.email, password: member.password, role: 'user', org: org.id })).status).toBe(201);
    const viewer = await s.open('member(suspended org)', await logIn(s.t, member), 'jwt');
    const viewers = [viewer, ...s.viewers];

    let since = s.mark(viewers);
    let id = createdId(await restAs(s.t, s.who.admin).post('/api/bulletins', { title: 'before the re-check' }));
    await expectParity(s.t, 'public.bulletins.create', id, viewers, since, { 'member(suspended org)': 403, other: 200 });

    await s.t.realtime.auth.recheck(s.t.realtime.namespace!);
    since = s.mark(viewers);
    id = createdId(await restAs(s.t, s.who.admin).post('/api/bulletins', { title: 'after the re-check' }));
    await expectParity(s.t, 'public.bulletins.create', id, viewers, since, { 'member(suspended org)': 403, other: 200 });
  });
});
