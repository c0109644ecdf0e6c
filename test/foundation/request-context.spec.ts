import { Controller, Post } from '@nestjs/common';
import type { CollectionAfterOperationHook, CollectionConfig, Payload } from 'payload';
import { getRequestContext, InjectPayload, PayloadSocketModule } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient } from '../support/clients.js';
import { testPosts, testUsers } from '../support/collections.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { foundationConfig, sessionIdOfCookie } from './fixtures.js';
import { closeAll } from '../support/teardown.js';

/** What the posts `create` hook saw of the module's request context, one entry per operation. */
const seen: { title: unknown; hasContext: boolean; sessionID: string | undefined }[] = [];

const recordContext: CollectionAfterOperationHook = ({ operation, result }) => {
  if (operation === 'create') {
    const context = getRequestContext();
    seen.push({ title: (result as { title?: unknown }).title, hasContext: context !== undefined, sessionID: context?.sessionID });
  }
  return result;
};

const posts: CollectionConfig = { ...testPosts, hooks: { afterOperation: [recordContext] } };

/** An ordinary Nest route that writes through the Local API while it handles a request. */
@Controller('via-local')
class ViaLocalController {
  constructor(@InjectPayload() private readonly payload: Payload) {}

  @Post()
  async create() {
    await new Promise((resolve) => setTimeout(resolve, 5)); // the context must survive an async hop
    return this.payload.create({ collection: 'posts', data: { title: 'local in a request' } });
  }
}

describe.each(DATABASE_KINDS)('request context in Payload hooks on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startApp({
      imports: [PayloadSocketModule.forRoot({ config: foundationConfig(db.url, `request-context-${kind}`, [testUsers, posts]) })],
      controllers: [ViaLocalController],
    });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  afterAll(() => closeAll(t, db));

  it('carries the express-session id of the client into hooks of a REST call', async () => {
    const alice = new HttpClient(t.url);
    const bob = new HttpClient(t.url);
    // first request of each client: the session is created by this very request
    expect((await alice.post('/api/posts', { title: 'alice 1' })).status).toBe(201);
    expect((await bob.post('/api/posts', { title: 'bob 1' })).status).toBe(201);
    expect((await alice.post('/api/posts', { title: 'alice 2' })).status).toBe(201);
    const aliceSid = sessionIdOfCookie(alice.cookies.get('connect.sid'));
    const bobSid = sessionIdOfCookie(bob.cookies.get('connect.sid'));
    expect(aliceSid).not.toBe(bobSid);
    expect(seen).toEqual([
      { title: 'alice 1', hasContext: true, sessionID: aliceSid },
      { title: 'bob 1', hasContext: true, sessionID: bobSid },
      { title: 'alice 2', hasContext: true, sessionID: aliceSid },
    ]);
  });

  it('carries the session id into a Local API call a Nest controller makes during a request', async () => {
    const carol = new HttpClient(t.url);
    await carol.get('/api/posts'); // a page load: gets the session cookie
    const carolSid = sessionIdOfCookie(carol.cookies.get('connect.sid'));
    const dave = new HttpClient(t.url);
    const [forCarol, forDave] = await Promise.all([carol.post('/via-local'), dave.post('/via-local')]);
    expect(forCarol.status).toBe(201);
    expect(forDave.status).toBe(201);
    const daveSid = sessionIdOfCookie(dave.cookies.get('connect.sid'));
    expect(daveSid).not.toBe(carolSid);
    // concurrent requests: each hook saw its own request's session
    expect(seen.map((s) => s.sessionID).sort()).toEqual([carolSid, daveSid].sort());
    expect(seen.every((s) => s.hasContext && s.title === 'local in a request')).toBe(true);
  });

  it('sees no context for a Local API call outside any request, and does not crash', async () => {
    const created = await t.payload.create({ collection: 'posts', data: { title: 'from a script' } });
    expect(created.title).toBe('from a script');
    expect(seen).toEqual([{ title: 'from a script', hasContext: false, sessionID: undefined }]);
    expect(getRequestContext()).toBeUndefined();
    // and the server still serves requests with a context afterwards
    const erin = new HttpClient(t.url);
    expect((await erin.post('/api/posts', { title: 'after' })).status).toBe(201);
    expect(seen[1]).toEqual({ title: 'after', hasContext: true, sessionID: sessionIdOfCookie(erin.cookies.get('connect.sid')) });
  });
});
