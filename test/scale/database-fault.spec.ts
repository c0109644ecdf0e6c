import pg from 'pg';
import type { TestApp } from '../support/app.js';
import { HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { pgAdminUrl } from '../support/postgres.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { closeCluster, forget, people, settleAll, startInstances, tab, titled, uniquePrefix, via } from './support/cluster.js';
import { RedisServer } from './support/redis-server.js';
import { scaled } from '../support/timing.js';

/** As the admin role: let the test database take connections or not (refusing also ends the open ones). */
async function allowConnections(name: string, allowed: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdminUrl() });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allowed}`);
    if (!allowed) await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  } finally {
    await client.end();
  }
}

/**
 * Issue 6, faults: PostgreSQL refuses connections under two running instances. The API answers with errors (5xx,
 * Payload's `{ errors: [...] }` body), sockets stay connected (also through the periodic identity re-check), and once
 * the database takes connections again, writes and emits work again without restarting anything.
 */
describe('the database down under two running instances', () => {
  const logger = new CapturingLogger(/./); // the failures provoked here are expected: keep them quiet
  let redis: RedisServer;
  let db: TestDatabase;
  let dbName: string;
  let apps: TestApp[] = [];
  let A: TestApp, B: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const s: Record<string, RecordingSocket> = {};
  const all = () => Object.values(s);

  beforeAll(async () => {
    redis = await RedisServer.start();
    db = await freshDatabase('postgres');
    dbName = new URL(db.url).pathname.slice(1);
    const options = { redis: { url: redis.url, keyPrefix: uniquePrefix('db-fault') }, auth: { recheckSeconds: 1 } };
    apps = await startInstances(2, db.url, options, logger);
    [A, B] = apps;
    who = await people(A);
    s.adminA = await tab(A, who.admin);
    s.adminB = await tab(B, who.admin);
    s.ownerB = await tab(B, who.owner);
    s.anonA = await tab(A, who.anonymous);
  });

  afterAll(async () => {
    if (dbName) await allowConnections(dbName, true).catch(() => undefined);
    await closeCluster({ sockets: all(), apps, redis, dbs: [db] });
  });

  it('answers with errors while the database refuses connections, and keeps the sockets', async () => {
    const ids = new Map(all().map((socket) => [socket, socket.socket.id]));
    await allowConnections(dbName, false);
    try {
      for (const t of apps) {
        // A first visit (no session yet) and a logged-in session (its session is read from the database first).
        for (const http of [new HttpClient(t.url), via(who.owner, t)]) {
          for (const [method, path, body] of [
            ['GET', '/api/posts'],
            ['POST', '/api/posts', { title: 'during the outage' }],
            ['GET', '/api/users/me'],
          ] as const) {
            const request = `${method} ${path} (${http.cookies.size ? 'with' : 'without'} a session cookie)`;
            const answer = await http.request(method, path, body);
            if (path === '/api/users/me' && http.cookies.size > 0) {
              // The logged-in session: Payload's JWT strategy swallows the failed user lookup and answers as for a visitor.
              expect([request, answer.status, answer.body]).toEqual([request, 200, expect.objectContaining({ user: null })]);
              continue;
            }
            expect([request, answer.status >= 500 && answer.status < 600, answer.body]).toEqual([
              request,
              true,
              { errors: [expect.objectContaining({ message: expect.any(String) })] },
            ]);
          }
        }
      }
      // Several identity re-checks (every second) fail meanwhile: they must not drop or downgrade anyone.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      for (const [socket, id] of ids) expect([id, socket.socket.connected, socket.socket.id]).toEqual([id, true, id]);
      expect(all().flatMap((socket) => socket.names())).toEqual([]);
    } finally {
      await allowConnections(dbName, true);
    }
  });

  it('works again once the database is back: writes, emits across instances, identities intact', async () => {
    forget(all());
    // The pools reconnect by themselves; the first request after the outage may still meet a dead connection.
    let created: Awaited<ReturnType<ReturnType<typeof via>['post']>> | undefined;
    const deadline = Date.now() + scaled(10_000);
    while (Date.now() < deadline && created?.status !== 201) {
      created = await via(who.owner, A).post('/api/notes', { title: 'back', secret: 'for admins' });
      if (created.status !== 201) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(created?.status).toBe(201);
    expect((await via(who.owner, B).post('/api/posts', { title: 'back post' })).status).toBe(201);
    await Promise.all([s.adminA, s.adminB, s.ownerB].map((socket) => socket.waitFor('public.notes.create')));
    await s.anonA.waitFor('public.posts.create');
    await settleAll(apps, all());

    for (const name of ['adminA', 'adminB']) expect(titled(s[name], 'public.notes.create', 'back')).toEqual([expect.objectContaining({ secret: 'for admins' })]);
    expect(titled(s.ownerB, 'public.notes.create', 'back')).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    expect(s.anonA.named('public.notes.create')).toEqual([]);
    for (const socket of all()) expect(titled(socket, 'public.posts.create', 'back post')).toHaveLength(1);
  });
});
