import type session from 'express-session';
import type { Payload } from 'payload';
import type { Pool } from 'pg';
import { createMongoSessionStore } from './mongo-session-store.js';
import { PayloadSessionStore, type SessionStoreLogger } from './payload-session-store.js';
import { createPgSessionStore } from './postgres-session-store.js';

export interface CreateSessionStoreOptions {
  /** Lifetime of a session whose cookie has no `expires`; a cookie's own `expires` always wins. */
  ttlSeconds: number;
  /** How often expired sessions are deleted (default 900). 0 turns it off. Not used on MongoDB (TTL index). */
  pruneIntervalSeconds?: number;
  /** Defaults to `payload.logger`. */
  logger?: SessionStoreLogger;
}

export type SessionStoreKind = 'postgres' | 'payload-collection' | 'mongodb';

export interface SessionStoreHandle {
  store: session.Store;
  /** Which implementation was picked. */
  kind: SessionStoreKind;
  /** Stops timers. Never closes Payload's own connection/pool. */
  close(): Promise<void>;
}

interface AdapterIdentity {
  name?: string;
  packageName?: string;
  pool?: unknown;
}

/** Which store `createSessionStore` picks for this (booted) Payload. */
export function sessionStoreKind(payload: Payload): SessionStoreKind {
  const db = payload.db as unknown as AdapterIdentity;
  if (db.name === 'mongoose' || db.packageName === '@payloadcms/db-mongodb') return 'mongodb';
  if ((db.name === 'postgres' || db.packageName === '@payloadcms/db-postgres') && isPgPool(db.pool)) return 'postgres';
  return 'payload-collection';
}

function isPgPool(pool: unknown): pool is Pool {
  const p = pool as Partial<Pool> | undefined;
  return typeof p?.query === 'function' && typeof p?.connect === 'function';
}

/**
 * The default express-session store: persisted in the database Payload already uses, with no configuration.
 * - PostgreSQL (`@payloadcms/db-postgres`): connect-pg-simple on Payload's pool, table `payload_socket.session`.
 * - MongoDB (`@payloadcms/db-mongodb`): connect-mongo on Payload's mongoose client (needs `connect-mongo`; untested).
 * - SQLite and any other adapter: `PayloadSessionStore`, in the `payload-socket-sessions` collection
 *   (`sessionsCollection` must be in the config).
 * Call it after Payload has booted (`getPayload`).
 */
export async function createSessionStore(
  payload: Payload,
  opts: CreateSessionStoreOptions,
): Promise<SessionStoreHandle> {
  if (!(opts.ttlSeconds > 0)) throw new Error('nest-payload-socket: session store ttlSeconds must be > 0');
  const logger = opts.logger ?? payload.logger;
  const kind = sessionStoreKind(payload);
  switch (kind) {
    case 'postgres': {
      const pool = (payload.db as unknown as { pool: Pool }).pool;
      const handle = await createPgSessionStore(pool, {
        ttlSeconds: opts.ttlSeconds,
        pruneIntervalSeconds: opts.pruneIntervalSeconds,
        logger,
      });
      return { ...handle, kind };
    }
    case 'mongodb': {
      const handle = await createMongoSessionStore(payload, { ttlSeconds: opts.ttlSeconds, logger });
      return { ...handle, kind };
    }
    default: {
      const store = new PayloadSessionStore(payload, {
        ttlSeconds: opts.ttlSeconds,
        pruneIntervalSeconds: opts.pruneIntervalSeconds,
        logger,
      });
      return { store, kind, close: () => store.close() };
    }
  }
}
