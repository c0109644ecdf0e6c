import { buildConfig } from 'payload';
import { databaseAdapter } from '../../sample/payload.config.js';
import { PayloadSocketModule, payloadSocketPlugin } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient } from '../support/clients.js';
import { testMedia, testPosts, testUsers } from '../support/collections.js';
import { DATABASE_KINDS, freshDatabase, postgresConnections, type TestDatabase } from '../support/databases.js';
import { closeAll } from '../support/teardown.js';

/** Payload's REST and GraphQL APIs served by the Nest app, on SQLite and on PostgreSQL. */
describe.each(DATABASE_KINDS)('Payload API through Nest on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startApp({
      imports: [
        PayloadSocketModule.forRoot({
          config: buildConfig({
            secret: 'rest-api-spec-secret',
            db: databaseAdapter(db.url),
            collections: [testUsers, testPosts, testMedia()],
            typescript: { autoGenerate: false },
            telemetry: false,
            plugins: [payloadSocketPlugin()],
          }),
        }),
      ],
    });
    http = new HttpClient(t.url);
  });

  afterAll(() =>
    closeAll(t, async () => {
      if (db && kind === 'postgres') expect(await postgresConnections(db.url)).toBe(0);
    }, db),
  );

  it('serves the auth endpoints with Payload statuses, bodies and cookies', async () => {
    const register = await http.post('/api/users/first-register', { email: 'admin@example.com', password: 'correct horse' });
    expect(register.status).toBe(200);
    expect(register.body).toMatchObject({ message: expect.any(String), token: expect.any(String), user: { email: 'admin@example.com' } });
    expect(http.cookies.get('payload-token')).toBe(register.body.token);
    expect(http.cookies.has('connect.sid')).toBe(true);
    expect((await http.post('/api/users/first-register', { email: 'x@example.com', password: 'x' })).status).toBe(403);

    const me = await http.get('/api/users/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('admin@example.com');

    const refreshed = await http.post('/api/users/refresh-token');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshedToken).toEqual(expect.any(String));

    const logout = await http.post('/api/users/logout');
    expect(logout.status).toBe(200);
    expect(http.cookies.has('payload-token')).toBe(false);
    expect((await http.get('/api/users/me')).body.user).toBeNull();

    const wrong = await http.post('/api/users/login', { email: 'admin@example.com', password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0].message).toEqual(expect.any(String));
    const login = await http.post('/api/users/login', { email: 'admin@example.com', password: 'correct horse' });
    expect(login.status).toBe(200);
    expect(login.body.token).toEqual(expect.any(String));

    const forgot = await http.post('/api/users/forgot-password', { email: 'admin@example.com' });
    expect(forgot.status).toBe(200);
    const { docs } = await t.payload.find({ collection: 'users', showHiddenFields: true, overrideAccess: true });
    const reset = await http.post('/api/users/reset-password', { token: docs[0].resetPasswordToken, password: 'new password' });
    expect(reset.status).toBe(200);
    expect(reset.body.token).toEqual(expect.any(String));
    expect((await http.post('/api/users/login', { email: 'admin@example.com', password: 'new password' })).status).toBe(200);

    const unlock = await http.post('/api/users/unlock', { email: 'admin@example.com' });
    expect(unlock.status).toBe(200);
  });

  it('serves create, find, findByID, count, update and delete (by id and by where), duplicate', async () => {
    const created = await http.post('/api/posts', { title: 'first' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ doc: { title: 'first', id: expect.anything() }, message: expect.any(String) });
    const id = created.body.doc.id;
    await http.post('/api/posts', { title: 'second' });

    const found = await http.get('/api/posts?sort=title');
    expect(found.status).toBe(200);
    expect(found.body.docs.map((d: { title: string }) => d.title)).toEqual(['first', 'second']);
    expect(found.body.totalDocs).toBe(2);
    expect((await http.get(`/api/posts/${id}`)).body.title).toBe('first');
    expect((await http.get('/api/posts/count')).body).toEqual({ totalDocs: 2 });

    const updated = await http.patch(`/api/posts/${id}`, { title: 'first, edited' });
    expect(updated.status).toBe(200);
    expect(updated.body.doc.title).toBe('first, edited');
    const bulk = await http.patch('/api/posts?where[title][equals]=second', { title: 'second, edited' });
    expect(bulk.status).toBe(200);
    expect(bulk.body.docs).toHaveLength(1);
    expect(bulk.body.errors).toEqual([]);

    const duplicated = await http.post(`/api/posts/${id}/duplicate`, {});
    expect(duplicated.status).toBe(200);
    expect(duplicated.body.doc.title).toBe('first, edited');
    expect(duplicated.body.doc.id).not.toBe(id);

    const deleted = await http.delete(`/api/posts/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.doc.id).toBe(id);
    expect((await http.get(`/api/posts/${id}`)).status).toBe(404);
    const bulkDelete = await http.delete('/api/posts?where[title][like]=edited');
    expect(bulkDelete.status).toBe(200);
    expect(bulkDelete.body.docs).toHaveLength(2);
    expect((await http.get('/api/posts/count')).body.totalDocs).toBe(0);
  });

  it('passes multipart uploads through, and serves the file back', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('hello upload')], { type: 'text/plain' }), 'hello.txt');
    form.append('_payload', JSON.stringify({ alt: 'a greeting' }));
    const uploaded = await http.post('/api/media', form);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.doc).toMatchObject({ alt: 'a greeting', filename: 'hello.txt', filesize: 12 });
    const file = await fetch(new URL(uploaded.body.doc.url, t.url));
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('hello upload');
  });

  it('serves GraphQL: a create mutation runs the same operation as REST', async () => {
    const response = await http.post('/api/graphql', { query: 'mutation { createPost(data: { title: "from graphql" }) { id title } }' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.createPost.title).toBe('from graphql');
    const stored = await t.payload.findByID({ collection: 'posts', id: response.body.data.createPost.id });
    expect(stored.title).toBe('from graphql');
    const invalid = await http.post('/api/graphql', { query: '{ nope }' });
    expect(invalid.body.errors[0].message).toMatch(/nope/);
  });

  it('answers bad input with Payload-style errors and stays up', async () => {
    const malformed = await http.post('/api/posts', '{"title": ', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].message).toEqual(expect.any(String));

    const wrongType = await http.post('/api/posts', 'title=x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.errors[0].message).toMatch(/Unsupported content type "text\/plain"/);

    const unknown = await http.get('/api/no-such-collection');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'Route not found "/api/no-such-collection"' }); // Payload's own 404 body

    const oversized = await http.post('/api/posts', { title: 'x'.repeat(3 * 1024 * 1024) });
    expect(oversized.status).toBe(413);
    expect(oversized.body.errors[0].message).toMatch(/larger than the limit/);

    const wrongMethod = await http.request('PUT', '/api/posts', { title: 'x' });
    expect(wrongMethod.status).toBe(404);

    const after = await http.post('/api/posts', { title: 'still up' });
    expect(after.status).toBe(201);
  });
});
