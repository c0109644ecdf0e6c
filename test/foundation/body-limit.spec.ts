import { PayloadSocketModule } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { foundationConfig } from './fixtures.js';
import { closeAll } from '../support/teardown.js';

/** The `bodyLimit` option: Payload sets no request body limit, the module does. */
describe('PayloadSocketModule bodyLimit: 10kb', () => {
  let db: TestDatabase;
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startApp({ imports: [PayloadSocketModule.forRoot({ config: foundationConfig(db.url, 'body-limit-spec'), bodyLimit: '10kb' })] });
    http = new HttpClient(t.url);
  });

  afterAll(() => closeAll(t, db));

  it('answers a 20 KB JSON create with a Payload-style 413, stores nothing, and serves the next request', async () => {
    const tooBig = await http.post('/api/posts', { title: 'x'.repeat(20 * 1024) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toEqual({ errors: [{ message: expect.stringMatching(/larger than the limit of 10kb/) }] });
    expect((await t.payload.count({ collection: 'posts' })).totalDocs).toBe(0);

    const next = await http.post('/api/posts', { title: 'small' });
    expect(next.status).toBe(201);
    expect(next.body.doc.title).toBe('small');
  });

  it('accepts a body just under the limit', async () => {
    const title = 'y'.repeat(9 * 1024);
    const created = await http.post('/api/posts', { title });
    expect(created.status).toBe(201);
    expect(created.body.doc.title).toBe(title);
  });

  it('applies the limit to GraphQL bodies too', async () => {
    const query = `mutation { createPost(data: { title: "${'z'.repeat(20 * 1024)}" }) { id } }`;
    const tooBig = await http.post('/api/graphql', { query });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.errors[0].message).toMatch(/larger than the limit/);
    expect((await http.get('/api/posts?where[title][like]=zzz')).body.totalDocs).toBe(0);
  });
});
