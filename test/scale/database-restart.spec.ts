import pg from 'pg';
import { HttpClient, waitUntil } from '../support/clients.js';
import { InstanceProcess } from './support/instance-process.js';
import { PostgresServer } from './support/postgres-server.js';

const RESTARTS = 8;
const WRITES_PER_SECOND = 15;
/** Writes that must succeed between two restarts: the app is serving again, by itself. */
const SERVING_AGAIN = 10;

const isPayloadError = (body: unknown): boolean => {
  const errors = (body as { errors?: { message?: unknown }[] } | undefined)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((error) => typeof error?.message === 'string');
};

interface Write {
  title: string;
  status?: number;
  body?: unknown;
  id?: number;
  failure?: string;
}

/**
 * Issue 13, point 2: PostgreSQL restarted (fast shutdown, as `pg_ctlcluster … restart`: every session ends with 57P01)
 * while the sample app, in its own process, takes ~15 writes/s. It was the end of the process about one time in two
 * (an `error` event on a checked-out pg client nobody listened to). Now, over several restarts: the process lives,
 * a write caught by a restart fails with a 5xx in Payload's shape, every write answered 201 is in the database, and
 * the app serves again by itself after each restart.
 */
describe('PostgreSQL restarted under load', () => {
  let server: PostgresServer;
  let databaseUrl: string;
  let instance: InstanceProcess;
  let http: HttpClient;
  const writes: Write[] = [];
  const inFlight = new Set<Promise<unknown>>();

  beforeAll(async () => {
    server = await PostgresServer.start();
    databaseUrl = await server.createDatabase('app');
    instance = await InstanceProcess.start({ databaseUrl });
    http = new HttpClient(instance.url);
    const registered = await http.post('/api/users/first-register', { email: 'writer@test.io', password: 'pw-writer' });
    expect(registered.status).toBe(200);
    http = new HttpClient(instance.url, { authorization: `JWT ${registered.body.token}` });
  }, 120_000);

  afterAll(async () => {
    await instance?.stop();
    await server?.stop();
  });

  const write = (): void => {
    const entry: Write = { title: `write ${String(writes.length).padStart(4, '0')}` };
    writes.push(entry);
    const done = http
      .post('/api/posts', { title: entry.title })
      .then(
        ({ status, body }) => Object.assign(entry, { status, body, id: status === 201 ? body?.doc?.id : undefined }),
        (error: Error) => (entry.failure = `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`),
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const succeededSince = (index: number) => writes.slice(index).filter((w) => w.status === 201).length;

  it(`lives through ${RESTARTS} restarts at ~${WRITES_PER_SECOND} writes/s, loses no acknowledged write, and serves after each`, async () => {
    let writing = true;
    const load = (async () => {
      while (writing) {
        write();
        await new Promise((resolve) => setTimeout(resolve, 1000 / WRITES_PER_SECOND)); // the pace of the load, not a wait
      }
    })();
    try {
      for (let r = 0; r < RESTARTS; r++) {
        const from = writes.length;
        await waitUntil(() => !instance.alive || succeededSince(from) >= SERVING_AGAIN, 30_000, `${SERVING_AGAIN} successful writes (after restart ${r})`);
        if (!instance.alive) throw new Error(`the instance ended after restart ${r} of ${RESTARTS}:\n${instance.output.slice(-3000)}`);
        // Restart while a write is under way: the moment a pg client is checked out for its transaction.
        await waitUntil(() => inFlight.size > 0, 5_000, 'a write in flight');
        await server.restart();
      }
      const from = writes.length;
      await waitUntil(() => !instance.alive || succeededSince(from) >= SERVING_AGAIN, 30_000, 'successful writes after the last restart');
    } finally {
      writing = false;
      await load;
      await Promise.all([...inFlight]);
    }

    const failed = writes.filter((w) => w.status !== 201);
    const summary = {
      writes: writes.length,
      acknowledged: writes.length - failed.length,
      failedWith5xx: failed.filter((w) => w.status !== undefined && w.status >= 500).length,
      otherFailures: failed.filter((w) => w.status === undefined || w.status < 500).map((w) => `${w.title}: ${w.status ?? w.failure}`),
    };
    console.log(`PostgreSQL restarts: ${RESTARTS}; ${JSON.stringify(summary)}`);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    let stored: Set<string>;
    try {
      stored = new Set((await client.query<{ title: string }>('SELECT title FROM posts')).rows.map((row) => row.title));
    } finally {
      await client.end();
    }
    const alive = instance.alive;
    expect({
      // 0 crashes: the process lived, and nothing was thrown at top level.
      alive,
      fatal: instance.output.match(/Unhandled 'error' event|uncaughtException|unhandledRejection/g) ?? [],
      // Every failure is a 5xx in Payload's error shape (no dropped connection, no 4xx, no HTML page).
      otherFailures: summary.otherFailures,
      notPayloadShaped: failed.filter((w) => !isPayloadError(w.body)).map((w) => `${w.title}: ${JSON.stringify(w.body)}`),
      // 0 lost acknowledged writes: every 201 is in the database.
      lost: writes.filter((w) => w.status === 201 && !stored.has(w.title)).map((w) => w.title),
      // And it serves afterwards: a read and a write.
      after: alive ? [(await http.get('/api/posts?limit=1')).status, (await http.post('/api/posts', { title: 'after' })).status] : [],
    }).toEqual({ alive: true, fatal: [], otherFailures: [], notPayloadShaped: [], lost: [], after: [200, 201] });
  }, 300_000);
});

