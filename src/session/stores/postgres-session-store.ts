import session from 'express-session';
import type { Pool } from 'pg';
import { importOptional } from '../../optional-import.js';
import type { SessionStoreLogger } from './payload-session-store.js';
import { errorMessage } from './payload-session-store.js';

/**
 * Own schema: Payload's dev schema push only inspects `public` (or the adapter's `schemaName`), and would offer to
 * drop — or silently drop, when empty — a table of ours that it finds there.
 */
export const PG_SESSION_SCHEMA = 'payload_socket';
export const PG_SESSION_TABLE = 'session';

/** Key of the transaction-level advisory lock that serialises schema creation across instances. */
const DDL_LOCK_KEY = "hashtext('nest-payload-socket:session-store')";

/**
 * connect-pg-simple's table (table.sql), with `timestamptz` instead of `timestamp` so that expiry comparisons do not
 * depend on each connection's TimeZone setting. connect-pg-simple only writes/compares `to_timestamp(...)` values.
 */
const CREATE_SCHEMA = `CREATE SCHEMA IF NOT EXISTS "${PG_SESSION_SCHEMA}"`;
const CREATE_TABLE = [
  `CREATE TABLE IF NOT EXISTS "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}" (
     "sid" varchar NOT NULL COLLATE "default" PRIMARY KEY,
     "sess" json NOT NULL,
     "expire" timestamptz(6) NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS "IDX_session_expire" ON "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}" ("expire")`,
];

/**
 * Plain MVCC reads of the catalogs. Deliberately not `to_regclass`/`IF NOT EXISTS` alone: those go through the
 * backend's catalog cache, and a cached "no such schema" from before the lock is not refreshed by taking an advisory
 * lock — `CREATE SCHEMA IF NOT EXISTS` then fails with a duplicate key on pg_namespace although the other instance
 * created it (reproduced by test/session-stores/postgres.spec.ts).
 */
const EXISTING = `SELECT
  EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS "schema",
  EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2) AS "table"`;

/**
 * Creates schema and table if missing. `IF NOT EXISTS` alone is not enough when two instances start at once (both
 * pass the check, one fails on the catalog's unique index), so the DDL runs under `pg_advisory_xact_lock`, and
 * what exists is decided by a fresh read after the lock is held.
 */
export async function ensurePgSessionTable(pool: Pool): Promise<void> {
  const client = await pool.connect();
  let failed = false;
  try {
    // Usual case (no lock, no DDL), and lets a role without CREATE on the database use a table an administrator
    // created.
    const before = await client.query<{ schema: boolean; table: boolean }>(EXISTING, [PG_SESSION_SCHEMA, PG_SESSION_TABLE]);
    if (before.rows[0]?.table) return;
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${DDL_LOCK_KEY})`);
    const now = await client.query<{ schema: boolean; table: boolean }>(EXISTING, [PG_SESSION_SCHEMA, PG_SESSION_TABLE]);
    if (!now.rows[0]?.schema) await client.query(CREATE_SCHEMA);
    if (!now.rows[0]?.table) for (const statement of CREATE_TABLE) await client.query(statement);
    await client.query('COMMIT');
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    const privilege = (err as { code?: string }).code === '42501'; // insufficient_privilege
    throw new Error(
      `nest-payload-socket: could not create the session table ${PG_SESSION_SCHEMA}.${PG_SESSION_TABLE}` +
        `${privilege ? ' (the database role needs CREATE on the database, or have an administrator create the table beforehand)' : ''}: ` +
        errorMessage(err),
      { cause: err },
    );
  } finally {
    client.release(failed);
  }
}

export interface PgSessionStoreOptions {
  ttlSeconds: number;
  pruneIntervalSeconds?: number;
  logger: SessionStoreLogger;
}

/**
 * connect-pg-simple on Payload's own pg Pool. `close()` stops its prune timer; because the pool is passed in,
 * connect-pg-simple does not end it (Payload owns it).
 */
export async function createPgSessionStore(
  pool: Pool,
  options: PgSessionStoreOptions,
): Promise<{ store: session.Store; close(): Promise<void> }> {
  const { default: connectPgSimple } = await importOptional(
    'connect-pg-simple',
    'The default session store on PostgreSQL (or pass `session: { store }`)',
    () => import('connect-pg-simple'),
  );
  await ensurePgSessionTable(pool);
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool,
    schemaName: PG_SESSION_SCHEMA,
    tableName: PG_SESSION_TABLE,
    createTableIfMissing: false,
    ttl: options.ttlSeconds,
    // connect-pg-simple spreads prunes over 50–150 % of the interval so instances do not prune in lockstep.
    // 0 turns pruning off (connect-pg-simple would read 0 as "default").
    pruneSessionInterval: options.pruneIntervalSeconds === 0 ? false : (options.pruneIntervalSeconds ?? 900),
    errorLog: (...args: unknown[]) =>
      options.logger.error(`nest-payload-socket (session store): ${args.map(errorMessage).join(' ')}`),
  });
  return {
    store,
    // Typed `void` in @types/connect-pg-simple, but connect-pg-simple 10 returns a promise.
    close: async () => {
      await (store.close() as unknown as Promise<void> | undefined);
    },
  };
}
