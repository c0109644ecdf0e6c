import { randomUUID } from 'node:crypto';
import type { Access } from 'payload';
import { createdId, expectParity, logIn, restAs, scene, writable, type Person } from './support/parity.js';

/**
 * Class 6 of issue 12: read access may depend on how the request authenticated — its headers (an API key or a
 * JWT) or `req.user._strategy`. Each socket is judged with the request its own handshake credential makes, not
 * with a header-less request, nor with the user object of another socket of the same user.
 */
const viaApiKeyHeader = (req: { headers?: Headers }) => /API-Key/i.test(req.headers?.get?.('authorization') ?? '');
/** Machines (API keys) read only documents meant for machines; people every document. */
const byHeader: Access = ({ req }) => (!req.user ? false : viaApiKeyHeader(req) ? { machine: { equals: true } } : true);
const byStrategy: Access = ({ req }) =>
  !req.user ? false : (req.user as { _strategy?: string })._strategy === 'api-key' ? { machine: { equals: true } } : true;

/** A common shortcut: the Local API (server code) reads everything, API callers only when logged in. */
const serverOrUser: Access = ({ req }) => req.payloadAPI === 'local' || Boolean(req.user);

describe('access that reads how the request authenticated', () => {
  const fields = [{ name: 'title', type: 'text' as const }, { name: 'machine', type: 'checkbox' as const }];
  const s = scene('sqlite', {
    collections: [
      writable('by-header', fields, byHeader, ['create']),
      writable('by-strategy', fields, byStrategy, ['create']),
      writable('by-api', fields, serverOrUser, ['create']),
    ],
  });

  it('access reading req.headers: an API-key socket is judged as an API-key request', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/by-header', { title: 'for people', machine: false }));
    await expectParity(s.t, 'public.by-header.create', id, s.viewers, since, { 'robot(api-key)': 404, other: 200 });
  });

  it('access reading req.user._strategy: a JWT socket opened after an API-key socket of that user keeps its own view', async () => {
    // The usual viewers hold robot's API-key socket already; this one is robot's JWT, opened after it.
    const jwt = await s.open('robot(jwt, after its api-key socket)', s.who.robot, 'jwt');
    const viewers = [...s.viewers, jwt];
    const since = s.mark(viewers);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/by-strategy', { title: 'for people', machine: false }));
    await expectParity(s.t, 'public.by-strategy.create', id, viewers, since, { 'robot(api-key)': 404, 'robot(jwt, after its api-key socket)': 200 });
  });

  it('access reading req.user._strategy: an API-key socket opened after a JWT socket of that user keeps its own view', async () => {
    const apiKey = randomUUID();
    const twin: Person = { name: 'twin', email: 'twin@parity.io', password: 'pw-twin', apiKey };
    const made = await restAs(s.t, s.who.admin).post('/api/users', { email: twin.email, password: twin.password, role: 'user', enableAPIKey: true, apiKey });
    expect(made.status).toBe(201);
    const person = { ...(await logIn(s.t, twin)), apiKey };
    const first = await s.open('twin(jwt)', person, 'jwt');
    const second = await s.open('twin(api-key, after its jwt socket)', person, 'api-key');
    const viewers = [first, second];
    const since = s.mark(viewers);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/by-strategy', { title: 'for people, again', machine: false }));
    await expectParity(s.t, 'public.by-strategy.create', id, viewers, since, { 'twin(jwt)': 200, 'twin(api-key, after its jwt socket)': 404 });
  });

  it('access reading req.payloadAPI: a socket is judged as a REST request, not as the Local API', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/by-api', { title: 'users only' }));
    await expectParity(s.t, 'public.by-api.create', id, s.viewers, since, { other: 200, anonymous: 403 });
  });

  it('documents meant for machines reach both credentials (the control)', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/by-header', { title: 'for machines', machine: true }));
    await expectParity(s.t, 'public.by-header.create', id, s.viewers, since, { 'robot(api-key)': 200, other: 200, anonymous: 403 });
  });
});
