import type { CollectionConfig } from 'payload';
import { PayloadSocketModule } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient } from '../support/clients.js';
import { freshDatabase, postgresConnections, type TestDatabase } from '../support/databases.js';
import { foundationConfig } from './fixtures.js';

const articles: CollectionConfig = {
  slug: 'articles',
  access: { read: () => true, create: () => true },
  fields: [{ name: 'headline', type: 'text', required: true }],
};

/** Handles Node keeps the process alive for (sockets, servers, timers), by kind. */
function liveHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** App lifecycle: close releases everything; several apps with their own configs share one process. */
describe('PayloadSocketModule lifecycle', () => {
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];
  const fresh = async (kind: TestDatabase['kind']) => {
    const db = await freshDatabase(kind);
    databases.push(db);
    return db;
  };
  const start = async (databaseUrl: string, secret: string, collections?: CollectionConfig[], payloadKey?: string) => {
    const app = await startApp({ imports: [PayloadSocketModule.forRoot({ config: foundationConfig(databaseUrl, secret, collections), payloadKey })] });
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    for (const app of apps) await app.close(); // closing twice is harmless; this covers failed tests
    for (const db of databases) await db.drop();
  });

  it('app.close() releases the PostgreSQL connections and leaves no handle behind', async () => {
    const db = await fresh('postgres');
    const before = liveHandles();
    const t = await start(db.url, 'lifecycle-close');
    const http = new HttpClient(t.url);
    expect((await http.post('/api/posts', { title: 'before close' })).status).toBe(201);
    expect(await postgresConnections(db.url)).toBeGreaterThan(0);

    await t.close();
    expect(await postgresConnections(db.url)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve)); // let closed sockets report their end
    const after = liveHandles();
    for (const [kind, count] of Object.entries(after)) expect([kind, count]).toEqual([kind, Math.min(count, before[kind] ?? 0)]);
    await expect(fetch(`${t.url}/api/posts`)).rejects.toThrow(); // the port is closed
  });

  it('runs two apps with different configs at once, each serving its own collections', async () => {
    const blogDb = await fresh('sqlite');
    const newsDb = await fresh('postgres');
    const blog = await start(blogDb.url, 'lifecycle-blog');
    const news = await start(newsDb.url, 'lifecycle-news', [articles], 'news-instance');
    expect(blog.payload).not.toBe(news.payload);
    expect(news.payload.config.secret).toBe('lifecycle-news');
    const blogHttp = new HttpClient(blog.url);
    const newsHttp = new HttpClient(news.url);

    expect((await blogHttp.post('/api/posts', { title: 'a blog post' })).status).toBe(201);
    expect((await newsHttp.post('/api/articles', { headline: 'news' })).status).toBe(201);
    expect((await blogHttp.get('/api/posts')).body.docs.map((d: { title: string }) => d.title)).toEqual(['a blog post']);
    expect((await newsHttp.get('/api/articles')).body.docs.map((d: { headline: string }) => d.headline)).toEqual(['news']);
    expect((await blogHttp.get('/api/articles')).status).toBe(404);
    expect((await newsHttp.get('/api/posts')).status).toBe(404);
    expect((await blog.payload.count({ collection: 'posts' })).totalDocs).toBe(1);

    // closing one leaves the other serving
    await blog.close();
    expect((await newsHttp.get('/api/articles')).body.totalDocs).toBe(1);

    // a third app after the close: its own database, the config of the closed one
    const third = await start((await fresh('sqlite')).url, 'lifecycle-third');
    const thirdHttp = new HttpClient(third.url);
    expect((await thirdHttp.post('/api/posts', { title: 'third' })).status).toBe(201);
    expect((await thirdHttp.get('/api/posts')).body.docs.map((d: { title: string }) => d.title)).toEqual(['third']);
    expect((await newsHttp.get('/api/articles')).body.totalDocs).toBe(1);
    await news.close();
    expect(await postgresConnections(newsDb.url)).toBe(0);
    expect((await thirdHttp.get('/api/posts/count')).body.totalDocs).toBe(1);
  });

  it('boots the same config twice on fresh databases in one process (the schema is pushed each time)', async () => {
    for (const kind of ['postgres', 'sqlite', 'postgres'] as const) {
      const first = await start((await fresh(kind)).url, `lifecycle-same-1-${kind}`, [articles]);
      const second = await start((await fresh(kind)).url, `lifecycle-same-2-${kind}`, [articles]);
      for (const t of [first, second]) {
        const http = new HttpClient(t.url);
        expect((await http.post('/api/articles', { headline: kind })).status).toBe(201);
        expect((await http.get('/api/articles')).body.totalDocs).toBe(1);
      }
      await first.close();
      await second.close();
    }
  });
});
