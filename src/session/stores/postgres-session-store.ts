import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { Pool } from 'pg';
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
const DDL = [
  `CREATE SCHEMA IF NOT EXISTS "${PG_SESSION_SCHEMA}"`,
  `CREATE TABLE IF NOT EXISTS "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}" (
     "sid" varchar NOT NULL COLLATE "default" PRIMARY KEY,
     "sess" json NOT NULL,
     "expire" timestamptz(6) NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS "IDX_session_expire" ON "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}" ("expire")`,
];

/**
 * Creates schema and table if missing. `IF NOT EXISTS` alone is not enough when two instances start at once (both
 * pass the check, one fails on the catalog's unique index), so the DDL runs under `pg_advisory_xact_lock`.
 */
export async function ensurePgSessionTable(pool: Pool): Promise<void> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${DDL_LOCK_KEY})`);
    for (const statement of DDL) await client.query(statement);
    await client.query('COMMIT');
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(
      `nest-payload-socket: could not create the session table ${PG_SESSION_SCHEMA}.${PG_SESSION_TABLE} ` +
        `(the database role needs CREATE on the database): ${errorMessage(err)}`,
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
