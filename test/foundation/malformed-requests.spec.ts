import { request as httpRequest } from 'node:http';
import { buildConfig, type CollectionConfig } from 'payload';
import { databaseAdapter } from '../../sample/payload.config.js';
import { PayloadSocketModule, payloadSocketPlugin } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { testMedia, testPosts, testUsers } from '../support/collections.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../support/databases.js';

interface Answer {
  status: number;
  body: any;
}

/** A raw HTTP request (fetch refuses TRACE and rewrites some headers): exactly what a hostile client sends. */
function send(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all = body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers };
    const request = httpRequest(new URL(path, baseUrl), { method, headers: all }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        resolve({ status: response.statusCode!, body: parsed });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

interface Row {
  what: string;
  method: string;
  /** `:post` is replaced by an existing post's id. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** Answered as Payload answers a route that does not exist (its own body, `{ message }`). */
  routeNotFound?: true;
}

/** Issue 13 (5): each of these was answered 5xx (or 501). Each is the client's fault, and gets a 4xx. */
const ROWS: Row[] = [
  { what: 'a JSON body that is a string', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: '"a string"', status: 400 },
  { what: 'a JSON body that is a number', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: '42', status: 400 },
  { what: 'a JSON body that is null', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: 'null', status: 400 },
  { what: 'a JSON body that is true, upper-case media type', method: 'POST', path: '/api/posts', headers: { 'content-type': 'Application/JSON' }, body: ' true', status: 400 },
  { what: 'a JSON string to an update', method: 'PATCH', path: '/api/posts/:post', headers: JSON_TYPE, body: '"s"', status: 400 },
  { what: 'a JSON number to first-register', method: 'POST', path: '/api/users/first-register', headers: JSON_TYPE, body: '7', status: 400 },
  { what: '10,000-level nested arrays in a field', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: `{"title":"x","extra":${arrays(10_000)}}`, status: 400 },
  { what: '10,000-level nested objects', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: `{"title":"x","extra":${objects(10_000)}}`, status: 400 },
  { what: '10,000-level nesting as the body', method: 'PATCH', path: '/api/posts/:post', headers: JSON_TYPE, body: arrays(10_000), status: 400 },
  { what: 'truncated GraphQL JSON', method: 'POST', path: '/api/graphql', headers: JSON_TYPE, body: '{"query": "{ Posts { docs { id } } }"', status: 400 },
  { what: 'GraphQL with 10,000-level nested variables', method: 'POST', path: '/api/graphql', headers: JSON_TYPE, body: `{"query":"{ Posts { docs { id } } }","variables":{"v":${arrays(10_000)}}}`, status: 400 },
  { what: 'multipart without a boundary, to an upload collection', method: 'POST', path: '/api/media', headers: { 'content-type': 'multipart/form-data' }, body: 'abc', status: 400 },
  { what: 'multipart without a boundary', method: 'POST', path: '/api/posts', headers: { 'content-type': 'multipart/form-data; charset=utf-8' }, body: 'abc', status: 400 },
  { what: 'page=1e308', method: 'GET', path: '/api/posts?page=1e308', status: 400 },
  { what: 'page=Infinity', method: 'GET', path: '/api/posts?page=Infinity', status: 400 },
  { what: 'page=-1', method: 'GET', path: '/api/posts?page=-1', status: 400 },
  { what: 'limit=1e308', method: 'GET', path: '/api/posts?limit=1e308', status: 400 },
  { what: 'limit=1.5', method: 'GET', path: '/api/posts?limit=1.5', status: 400 },
  { what: 'page × limit past any offset', method: 'GET', path: '/api/posts?page=10000000000&limit=1000000000', status: 400 },
  { what: 'page past any offset (default limit)', method: 'GET', path: '/api/posts?page=9.3e17', status: 400 },
  { what: 'where[title][near]=1,2 (not a point field)', method: 'GET', path: '/api/posts?where[title][near]=1,2', status: 400 },
  { what: 'where[title][within]={}', method: 'GET', path: '/api/posts?where[title][within]={}', status: 400 },
  { what: 'where[title][intersects]={}', method: 'GET', path: '/api/posts?where[title][intersects]={}', status: 400 },
  { what: 'near inside an or', method: 'GET', path: '/api/posts?where[or][0][title][near]=1,2', status: 400 },
  { what: 'near in a JSON where', method: 'GET', path: `/api/posts?where=${encodeURIComponent('{"title":{"near":"1,2"}}')}`, status: 400 },
  { what: 'near on a bulk delete', method: 'DELETE', path: '/api/posts?where[title][near]=1,2', status: 400 },
  { what: 'a where that is not JSON', method: 'GET', path: '/api/posts?where=abc', status: 400 },
  { what: 'a non-numeric id', method: 'GET', path: '/api/posts/abc', status: 404 },
  { what: 'a non-numeric id to delete', method: 'DELETE', path: '/api/posts/__proto__', status: 404 },
  { what: 'a non-numeric id to duplicate', method: 'POST', path: '/api/posts/abc/duplicate', headers: JSON_TYPE, body: '{}', status: 404 },
  { what: 'a malformed percent-encoding', method: 'GET', path: '/api/posts/%E0%A4%A', status: 400 },
  { what: '/api/__proto__', method: 'GET', path: '/api/__proto__', status: 404, routeNotFound: true },
  { what: '/api/constructor', method: 'POST', path: '/api/constructor', headers: JSON_TYPE, body: '{}', status: 404, routeNotFound: true },
  { what: '/api/hasOwnProperty/1', method: 'GET', path: '/api/hasOwnProperty/1', status: 404, routeNotFound: true },
  { what: 'TRACE', method: 'TRACE', path: '/api/posts', status: 405 },
  { what: 'the hidden sessions collection', method: 'GET', path: '/api/payload-socket-sessions', status: 404, routeNotFound: true },
  { what: 'the hidden sessions collection: count', method: 'GET', path: '/api/payload-socket-sessions/count', status: 404, routeNotFound: true },
  { what: 'the hidden sessions collection: by id', method: 'GET', path: '/api/payload-socket-sessions/1', status: 404, routeNotFound: true },
  { what: 'the hidden sessions collection: create', method: 'POST', path: '/api/payload-socket-sessions', headers: JSON_TYPE, body: '{"sid":"x"}', status: 404, routeNotFound: true },
];

/** What is not a client error, or is Payload's to answer, is left alone. */
const LEFT_TO_PAYLOAD: Row[] = [
  { what: '500-level nested objects in a field', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: `{"title":"deep","extra":${objects(500)}}`, status: 201 },
  { what: 'the largest page a database skips to', method: 'GET', path: '/api/posts?page=9.2e17', status: 200 },
  { what: 'page=0 and limit=-1', method: 'GET', path: '/api/posts?page=0&limit=-1', status: 200 },
  { what: 'an id that is a number with junk (Payload reads it as 1)', method: 'GET', path: '/api/posts/1abc', status: 200 },
  { what: 'an unknown query path', method: 'GET', path: '/api/posts?where[nope][equals]=1', status: 400 },
  { what: 'an array body', method: 'POST', path: '/api/posts', headers: JSON_TYPE, body: '[]', status: 400 },
  { what: 'a JSON number to a custom endpoint', method: 'POST', path: '/api/tags/score', headers: JSON_TYPE, body: '42', status: 200 },
  { what: '10,000-level nesting to a custom endpoint', method: 'POST', path: '/api/echo', headers: JSON_TYPE, body: arrays(10_000), status: 200 },
  { what: 'a number to a custom root endpoint', method: 'POST', path: '/api/echo', headers: JSON_TYPE, body: '-3', status: 200 },
  { what: 'page=1e308 to a custom endpoint', method: 'GET', path: '/api/tags/score?page=1e308', status: 200 },
];

/** A collection with a custom endpoint that takes a bare JSON number, and a root endpoint echoing any body. */
const tags: CollectionConfig = {
  slug: 'tags',
  access: { read: () => true },
  fields: [{ name: 'name', type: 'text' }],
  endpoints: [
    { path: '/score', method: 'post', handler: async (req) => Response.json({ score: Number(await req.json!()) * 2 }) },
    { path: '/score', method: 'get', handler: async (req) => Response.json({ page: req.searchParams.get('page') }) },
  ],
};

describe.each(DATABASE_KINDS)('malformed requests to the API on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let post: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startApp({
      imports: [
        PayloadSocketModule.forRoot({
          config: buildConfig({
            secret: `malformed-requests-${kind}`,
            db: databaseAdapter(db.url),
            collections: [testUsers, testPosts, testMedia(), tags],
            endpoints: [{ path: '/echo', method: 'post', handler: async (req) => Response.json({ length: (await req.text!()).length }) }],
            typescript: { autoGenerate: false },
            telemetry: false,
            logger: { options: { level: 'fatal' } },
            plugins: [payloadSocketPlugin()],
          }),
        }),
      ],
    });
    post = String((await t.payload.create({ collection: 'posts', data: { title: 'existing' } })).id);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const request = (row: Row) => send(t.url, row.method, row.path.replace(':post', post), row.headers, row.body);

  it.each(ROWS.map((row) => [row.what, row] as const))('%s: a 4xx in Payload\'s error shape', async (_what, row) => {
    const answer = await request(row);
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: row.status,
      body: row.routeNotFound
        ? { message: `Route not found "${row.path.split('?')[0]}"` } // exactly what Payload says for /api/no-such-thing
        : expect.objectContaining({ errors: [expect.objectContaining({ message: expect.any(String) })] }),
    });
  });

  it.each(LEFT_TO_PAYLOAD.map((row) => [row.what, row] as const))('%s: answered as before', async (_what, row) => {
    expect((await request(row)).status).toBe(row.status);
  });

  it('stays up and serves valid requests afterwards', async () => {
    expect((await send(t.url, 'GET', '/api/posts?where[title][equals]=existing')).body.totalDocs).toBe(1);
    expect((await send(t.url, 'POST', '/api/posts', JSON_TYPE, '{"title":"after"}')).status).toBe(201);
    expect((await send(t.url, 'GET', '/api/no-such-thing')).body).toEqual({ message: 'Route not found "/api/no-such-thing"' });
  });
});
