import { Injectable } from '@nestjs/common';
import { SocketAccess } from '../../src/index.js';
import { ALL_LABELS, MEMBERS, TABS, audience, type Audience } from './support/audience.js';
import { RULE_DATABASES, openCollection, openUsers, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { REQUESTER } from './support/operations.js';
import { closeAll } from '../support/teardown.js';

/**
 * Done-when 6: with `true` rules on login, refresh and forgotPassword (and on results that embed users: a users
 * find, posts populated with their author), no socket ever receives a token, hash, salt, reset token, API key,
 * session list or session id — by key anywhere in a payload, or by value anywhere in its text.
 */
const FORBIDDEN_KEYS = ['token', 'refreshedToken', 'hash', 'salt', 'password', 'resetPasswordToken', 'apiKey', 'apiKeyIndex', 'sessions', '_sid', '_verificationToken'];
const API_KEY = 'a1b2c3d4-secret-api-key-0000';
const everywhere = { public: true, self: true, [MEMBERS]: true };

/** A user's rule that passes the result it is given on as a value (the seed's `{...result}` pattern). */
@Injectable()
class EchoRules {
  @SocketAccess('users', 'login')
  @SocketAccess('users', 'refresh')
  @SocketAccess('users', 'forgotPassword')
  echo(_args: unknown, _req: unknown, result: unknown) {
    return { public: { echoed: result } };
  }
}

describe.each(RULE_DATABASES)('no secret is ever emitted (%s)', (kind) => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;
  const secrets = new Set<string>([REQUESTER.password, API_KEY]);

  beforeAll(async () => {
    db = await rulesDatabase(kind);
    t = await startRulesApp({
      db,
      collections: [
        openUsers({ custom: { socketAccess: { login: everywhere, refresh: everywhere, forgotPassword: everywhere, find: everywhere, findByID: everywhere } } }),
        openCollection('posts', {
          fields: [{ name: 'title', type: 'text', required: true }, { name: 'author', type: 'relationship', relationTo: 'users' }],
          custom: { socketAccess: { create: everywhere, find: everywhere } },
        }),
      ],
      providers: [EchoRules],
    });
    await t.payload.create({ collection: 'users', data: { ...REQUESTER, enableAPIKey: true, apiKey: API_KEY } });
    people = await audience(t);
  });

  afterAll(() => closeAll(people, t, db));

  it('login, refresh, forgotPassword, users find and populated authors carry no secret', async () => {
    const http = people.requester;
    const login = await http.post('/api/users/login', REQUESTER);
    expect(login.status).toBe(200);
    secrets.add(login.body.token);
    const refresh = await http.post('/api/users/refresh-token');
    expect(refresh.status).toBe(200);
    secrets.add(refresh.body.refreshedToken);
    const graphql = await http.post('/api/graphql', {
      query: `mutation { loginUser(email: "${REQUESTER.email}", password: "${REQUESTER.password}") { token } }`,
    });
    expect(graphql.body.errors).toBeUndefined();
    secrets.add(graphql.body.data.loginUser.token);
    expect((await http.post('/api/users/forgot-password', { email: REQUESTER.email })).status).toBe(200);
    const me = login.body.user.id;
    expect((await http.get('/api/users')).status).toBe(200);
    expect((await http.get(`/api/users/${me}`)).status).toBe(200);
    const post = await http.post('/api/posts', { title: 'by the requester', author: me });
    expect(post.status).toBe(201);
    expect(post.body.doc.author.sessions.length).toBeGreaterThan(0); // Payload's own response carries them: emits must not
    expect((await http.get('/api/posts', { authorization: `users API-Key ${API_KEY}` })).status).toBe(200);
    await people.settle();

    const stored = await t.payload.find({ collection: 'users', showHiddenFields: true, overrideAccess: true });
    const user = stored.docs[0] as unknown as Record<string, unknown> & { sessions?: { id: string }[] };
    for (const key of ['hash', 'salt', 'resetPasswordToken'] as const) {
      expect(typeof user[key]).toBe('string');
      secrets.add(user[key] as string);
    }
    for (const session of user.sessions ?? []) secrets.add(session.id);
    expect(secrets.size).toBeGreaterThanOrEqual(9);

    // Something was received everywhere it should be, so the scan below covers real payloads.
    for (const label of TABS) expect(people.data(label, 'self.users.login')).toHaveLength(2);
    for (const label of ALL_LABELS) {
      expect(people.data(label, 'public.users.login')).toHaveLength(4); // REST and GraphQL: `true` and the echo each
      expect(people.data(label, 'public.posts.create')).toEqual([expect.objectContaining({ title: 'by the requester' })]);
    }
    expect(people.data('tab1', 'self.posts.create')).toEqual([
      expect.objectContaining({ author: expect.objectContaining({ email: REQUESTER.email }) }),
    ]);
    expect(people.data('tab1', 'self.users.forgotPassword')).toEqual([null]);

    const findings: string[] = [];
    for (const [label, socket] of Object.entries(people.sockets)) {
      for (const { event, data } of socket.events) scan(data, `${label} ${event}`, findings);
    }
    expect(findings).toEqual([]);
    expect(t.logger.errors()).toEqual([]);
  });

  function scan(value: unknown, path: string, findings: string[]): void {
    if (typeof value === 'string') {
      for (const secret of secrets) if (value.includes(secret)) findings.push(`${path}: contains a secret value`);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.includes(key)) findings.push(`${path}.${key}`);
      scan(item, `${path}.${key}`, findings);
    }
  }
});
