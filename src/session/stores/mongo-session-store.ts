import type session from 'express-session';
import type { Payload } from 'payload';
import type { SessionStoreLogger } from './payload-session-store.js';
import { errorMessage } from './payload-session-store.js';

/**
 * MongoDB collection used by connect-mongo. Deliberately NOT `payload-socket-sessions`: with the mongoose adapter
 * that name is already the Mongo collection of the Payload `sessionsCollection` (slug `payload-socket-sessions`,
 * which the plugin may add on every adapter), whose unique index on the required `sid` field would reject
 * connect-mongo's documents (they keep the id in `_id` and have no `sid`).
 */
export const MONGO_SESSION_COLLECTION = 'payload-socket-express-sessions';

export interface MongoSessionStoreOptions {
  ttlSeconds: number;
  logger: SessionStoreLogger;
}

interface MongoStoreStatic {
  create(options: Record<string, unknown>): session.Store;
}

/** Mongoose connection of `@payloadcms/db-mongodb` (only what is used here). */
interface MongooseLikeConnection {
  getClient(): unknown;
  db?: { databaseName?: string };
  name?: string;
}

/**
 * connect-mongo on Payload's own mongoose connection (`payload.db.connection.getClient()`).
 *
 * UNTESTED HERE: connect-mongo is not a dependency of this package and no MongoDB server can run on the machine this
 * was written on. It is loaded with a dynamic import and fails with a clear message when missing.
 *
 * - Expiry: connect-mongo's `get` only returns documents whose `expires` is in the future; `autoRemove: 'native'`
 *   lets MongoDB's TTL index delete them (the TTL monitor runs about once a minute), so there is no timer to stop.
 *   `pruneIntervalSeconds` therefore does not apply.
 * - `close()` must not call connect-mongo's `store.close()`: that closes the MongoClient, i.e. Payload's connection.
 */
export async function createMongoSessionStore(
  payload: Payload,
  options: MongoSessionStoreOptions,
): Promise<{ store: session.Store; close(): Promise<void> }> {
  const connection = (payload.db as unknown as { connection?: MongooseLikeConnection }).connection;
  if (!connection || typeof connection.getClient !== 'function') {
    throw new Error('nest-payload-socket: payload.db.connection (mongoose) is not available; is Payload booted?');
  }
  const MongoStore = await loadConnectMongo();
  const store = MongoStore.create({
    client: connection.getClient(),
    dbName: connection.db?.databaseName ?? connection.name,
    collectionName: MONGO_SESSION_COLLECTION,
    ttl: options.ttlSeconds,
    autoRemove: 'native',
    stringify: false,
  });
  store.on('error', (err: unknown) =>
    options.logger.error(`nest-payload-socket (session store): ${errorMessage(err)}`),
  );
  return { store, close: async () => undefined };
}

async function loadConnectMongo(): Promise<MongoStoreStatic> {
  // A variable specifier keeps TypeScript from requiring the (optional) package at compile time.
  const specifier = 'connect-mongo';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        'nest-payload-socket: Payload uses MongoDB (@payloadcms/db-mongodb); its session store needs the ' +
          '`connect-mongo` package: npm install connect-mongo',
        { cause: err },
      );
    }
    throw err;
  }
  // v5: CJS `module.exports = MongoStore` (default import); later versions may export `{ MongoStore }`.
  const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod.MongoStore];
  const found = candidates.find((c) => typeof (c as MongoStoreStatic | undefined)?.create === 'function');
  if (!found) throw new Error('nest-payload-socket: unrecognised connect-mongo module (no MongoStore.create)');
  return found as MongoStoreStatic;
}
