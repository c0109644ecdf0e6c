/**
 * The default store on PostgreSQL (@payloadcms/db-postgres): connect-pg-simple on Payload's pool, in its own schema.
 * Also the Payload-collection store on PostgreSQL (it must work on every adapter) and the start-up race.
 * Needs the local PostgreSQL server (test/support/postgres.ts): fails, never skips, when it is missing.
 */
import pg from 'pg';
import type { Payload } from 'payload';
import { createSessionStore } from '../../src/session/stores/create-session-store.js';
import {
  ensurePgSessionTable,
  PG_SESSION_SCHEMA,
  PG_SESSION_TABLE,
} from '../../src/session/stores/postgres-session-store.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../support/postgres.js';
import { bootPayload, sessionData, shutdownPayload, storeGet, storeSet } from './harness.js';
import { payloadCollectionStore, storeSuite } from './suite.js';

const newPgTarget = async () => {
  const database = await createTestDatabase();
  return { target: { kind: 'postgres' as const, url: database.url }, cleanup: () => database.drop() };
};

storeSuite('session store on PostgreSQL (createSessionStore → connect-pg-simple)', {
  kind: 'postgres',
  newTarget: newPgTarget,
  makeStore: (payload, options) => createSessionStore(payload, options),
});

storeSuite('Payload-collection session store on PostgreSQL (works on any adapter)', {
  kind: 'payload-collection',
  newTarget: newPgTarget,
  makeStore: payloadCollectionStore,
});

describe('PostgreSQL session table', () => {
  let database: TestDatabase | undefined;
  const payloads: Payload[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    await requirePostgres();
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const close of closers) await close();
    for (const payload of payloads) await shutdownPayload(payload);
    await database?.drop();
  });

  it('lets two instances start at once on one database (advisory lock around the DDL)', async () => {
    // Two Payload instances (two pools) on one fresh database; their session stores are created simultaneously.
    payloads.push(await bootPayload({ kind: 'postgres', url: database!.url }));
    payloads.push(await bootPayload({ kind: 'postgres', url: database!.url }));
    const [a, b] = await Promise.all(payloads.map((p) => createSessionStore(p, { ttlSeconds: 3600 })));
    closers.push(a.close, b.close);
    expect([a.kind, b.kind]).toEqual(['postgres', 'postgres']);

    await storeSet(a, 'shared', sessionData({ from: 'a' }, new Date(Date.now() + 3600_000)));
    expect(await storeGet(b, 'shared')).toMatchObject({ from: 'a' });
  });

  it('survives many simultaneous starts on a fresh database (plain IF NOT EXISTS would not)', async () => {
    const fresh = await createTestDatabase();
    const pools = Array.from({ length: 8 }, () => new pg.Pool({ connectionString: fresh.url, max: 2 }));
    // An idle client the server ends (the DROP SCHEMA … CASCADE of another round, the final drop) is not this test's subject.
    for (const pool of pools) pool.on('error', () => undefined);
    try {
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled(pools.map((pool) => ensurePgSessionTable(pool)));
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        if (round < 2) await pools[0]!.query(`DROP SCHEMA "${PG_SESSION_SCHEMA}" CASCADE`);
      }
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await fresh.drop();
    }
  });

  it('keeps its table out of Payload\'s schema and does not end Payload\'s pool on close()', async () => {
    const payload = payloads[0]!;
    const pool = (payload.db as unknown as { pool: pg.Pool }).pool;
    const tables = await pool.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = $1`,
      [PG_SESSION_TABLE],
    );
    expect(tables.rows).toEqual([{ table_schema: PG_SESSION_SCHEMA, table_name: PG_SESSION_TABLE }]);
    const column = await pool.query<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'expire'`,
      [PG_SESSION_SCHEMA, PG_SESSION_TABLE],
    );
    expect(column.rows[0]?.data_type).toBe('timestamp with time zone');

    const handle = await createSessionStore(payload, { ttlSeconds: 3600, pruneIntervalSeconds: 0.1 });
    await storeGet(handle, 'anything'); // starts connect-pg-simple's prune timer
    await handle.close();
    expect((pool as unknown as { ended: boolean }).ended).toBe(false);
    expect((await pool.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    expect((await payload.find({ collection: 'users' })).totalDocs).toBe(0);
  });
});
