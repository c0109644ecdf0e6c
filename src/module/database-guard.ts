import { AsyncLocalStorage } from 'node:async_hooks';
import type { Payload, SanitizedConfig } from 'payload';
import { throttle } from '../throttle.js';

/**
 * What a restart, a failover or a network cut of the database does to the process, and to the request that was
 * using it, made safe (issue 13, point 2). Installed on the config before Payload boots, so that it wraps the
 * adapter's own methods before anything else does (the commit queue wraps `commitTransaction` after it).
 *
 * - pg's Pool listens to idle clients only: a client checked out for a transaction when the server ends its
 *   session (57P01 on `pg_ctl restart`) emits `error` with nobody listening, and Node ends the process. Every
 *   client of the pool gets a listener for its whole life; the pool drops a broken client when it is released and
 *   opens new ones when the database is back.
 * - Payload's PostgreSQL adapter swallows a failed COMMIT (`beginTransaction` catches the transaction's rejection,
 *   `commitTransaction` catches again): Payload then answers 201 for a write that never happened. The transaction's
 *   real outcome is kept, and a commit that failed throws, so the write fails with a 5xx and its emits are dropped.
 * - A request whose database calls failed for want of a connection is answered 503 in Payload's error shape, also
 *   when Payload turned the failure into something else first (its JWT strategy reads a failed user lookup as "no
 *   user", so a write would be answered 403).
 */

type Logger = { error(message: string): void; info?(message: string): void };

interface PgClientLike {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PgPoolLike {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'connect', listener: (client: PgClientLike) => void): unknown;
  _clients?: PgClientLike[];
}

interface DrizzleLike {
  transaction?: (fn: (tx: object) => Promise<unknown>, config?: unknown) => Promise<unknown>;
}

interface AdapterLike {
  pool?: PgPoolLike;
  drizzle?: DrizzleLike;
  sessions?: Record<string, { db?: object } | undefined>;
  connect?: (...args: unknown[]) => Promise<void>;
  commitTransaction?: (id: unknown) => Promise<void>;
  payload?: { logger?: Logger };
  [method: string]: unknown;
}

/** The adapter's data methods (Payload's BaseDatabaseAdapter): their first argument carries the request. */
const DATA_METHODS = [
  'count', 'countGlobalVersions', 'countVersions', 'create', 'createGlobal', 'createGlobalVersion', 'createVersion',
  'deleteMany', 'deleteOne', 'deleteVersions', 'find', 'findDistinct', 'findGlobal', 'findGlobalVersions', 'findOne',
  'findVersions', 'queryDrafts', 'updateGlobal', 'updateGlobalVersion', 'updateJobs', 'updateMany', 'updateOne',
  'updateVersion', 'upsert',
];

/** pg error codes that mean "no usable connection": class 08, the server shutting down or starting, too many clients. */
const CONNECTION_CODES = /^(08...|57P0[1-3]|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/;
const CONNECTION_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end|not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)/i;

/** Whether `error` (or anything in its `cause` chain) says the database connection was lost or could not be made. */
export function isConnectionError(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && CONNECTION_CODES.test(e.code)) return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** Requests whose database calls failed for want of a connection. */
const lostConnection = new WeakSet<object>();

/**
 * Set while an auth strategy runs: Payload passes the adapter a bare `{ transactionID }` instead of the request, so
 * a failed lookup is noted here and put on the request by the strategy's wrapper (guardAuthStrategies).
 */
const authLookup = new AsyncLocalStorage<{ failed: boolean }>();

/** Set while a transaction begins: how its drizzle transaction failed, if it did. */
const transactionStart = new AsyncLocalStorage<{ error?: unknown }>();

/** The answer to such a request: Payload's error shape, 503 (the client may try again). */
export const DATABASE_UNAVAILABLE = { errors: [{ message: 'The database is unavailable. Try again shortly.' }] };

const installed = Symbol('nest-payload-socket database guard');

/** Guards the database adapter of `config` (idempotent), before Payload boots with it. */
export function guardDatabase(config: SanitizedConfig): void {
  const db = config.db as unknown as { init: (args: unknown) => AdapterLike; [installed]?: true };
  if (!db?.init || db[installed]) return;
  const init = db.init;
  config.db = {
    ...config.db,
    init: (args: unknown) => guardAdapter(init.call(config.db, args)),
    [installed]: true,
  } as unknown as SanitizedConfig['db'];
  const hooks = (config.hooks ??= {} as SanitizedConfig['hooks']);
  hooks.afterError = [
    ...(hooks.afterError ?? []),
    ({ error, req }) => (lostConnection.has(req) || isConnectionError(error) ? { response: DATABASE_UNAVAILABLE, status: 503 } : undefined),
  ];
}

function guardAdapter(adapter: AdapterLike): AdapterLike {
  const report = (message: string) => adapter.payload?.logger?.error(message);
  const log = throttle(report, 30_000);
  const logCommit = throttle(report, 30_000);
  for (const name of DATA_METHODS) {
    const method = adapter[name];
    if (typeof method !== 'function') continue;
    adapter[name] = function (this: unknown, ...args: unknown[]) {
      const result = method.apply(this, args) as unknown;
      if (!(result instanceof Promise)) return result;
      return result.catch((error: unknown) => {
        if (isConnectionError(error)) {
          const req = (args[0] as { req?: unknown } | undefined)?.req;
          if (req && typeof req === 'object') lostConnection.add(req);
          const lookup = authLookup.getStore();
          if (lookup) lookup.failed = true;
        }
        throw error;
      });
    };
  }

  // Each transaction's real outcome (the adapter's own promise swallows it), by the `tx` its session holds.
  const outcomes = new WeakMap<object, Promise<unknown>>();
  const connect = adapter.connect;
  if (connect) {
    adapter.connect = async function (this: AdapterLike, ...args: unknown[]) {
      await connect.apply(this, args);
      if (this.pool) guardPool(this.pool, log);
      const drizzle = this.drizzle;
      const transaction = drizzle?.transaction;
      if (drizzle && transaction && !(transaction as { [installed]?: true })[installed]) {
        const tracked = (fn: (tx: object) => Promise<unknown>, options?: unknown) => {
          const holder: { outcome?: Promise<unknown> } = {};
          holder.outcome = transaction.call(drizzle, (tx) => {
            outcomes.set(tx, holder.outcome!);
            return fn(tx);
          }, options);
          const starting = transactionStart.getStore();
          if (starting) holder.outcome.catch((error: unknown) => (starting.error ??= error));
          return holder.outcome;
        };
        drizzle.transaction = Object.assign(tracked, { [installed]: true as const });
      }
    };
  }

  // Payload rethrows a failed BEGIN as a new Error carrying only the message ("Failed query: begin"): give it back
  // its cause, so that a lost connection is recognised as one.
  const begin = adapter.beginTransaction as ((...args: unknown[]) => Promise<unknown>) | undefined;
  if (begin) {
    adapter.beginTransaction = function (this: AdapterLike, ...args: unknown[]) {
      const starting: { error?: unknown } = {};
      return transactionStart.run(starting, () => begin.apply(this, args)).catch((error: unknown) => {
        if (error instanceof Error && error.cause === undefined && starting.error !== undefined) error.cause = starting.error;
        throw error;
      });
    };
  }

  const commit = adapter.commitTransaction;
  if (commit) {
    adapter.commitTransaction = async function (this: AdapterLike, incoming: unknown) {
      const id = incoming instanceof Promise ? await incoming : incoming;
      const tx = typeof id === 'string' || typeof id === 'number' ? this.sessions?.[id]?.db : undefined;
      const outcome = tx ? outcomes.get(tx) : undefined;
      await commit.call(this, id);
      if (!outcome) return;
      try {
        await outcome;
      } catch (error) {
        logCommit(`PostgreSQL: a transaction could not be committed (${errorText(error)}); its write failed`);
        throw new Error(`The transaction could not be committed: ${errorText(error)}`, { cause: error });
      }
    };
  }
  return adapter;
}

/**
 * Payload's JWT strategy reads any failure as "no user" (so does an API-key lookup): with the database gone, a
 * logged-in user's write would be answered 403. A request whose user lookup failed for want of a connection is
 * marked, and its error answered 503 instead.
 */
export function guardAuthStrategies(payload: Payload): void {
  for (const strategy of payload.authStrategies ?? []) {
    const authenticate = strategy.authenticate as typeof strategy.authenticate & { [installed]?: true };
    if (authenticate[installed]) continue;
    strategy.authenticate = Object.assign(
      async (args: Parameters<typeof authenticate>[0]) => {
        const lookup = { failed: false };
        const result = await authLookup.run(lookup, () => authenticate(args));
        if (lookup.failed && !result?.user && args.req) lostConnection.add(args.req);
        return result;
      },
      { [installed]: true as const },
    );
  }
}

const guardedPools = new WeakSet<object>();

/**
 * Every client of the pool, idle or checked out, has an `error` listener for its whole life: a lost connection
 * fails the queries that were using it (their requests answer 5xx) and never the process.
 */
export function guardPool(pool: PgPoolLike, log: (message: string) => void): void {
  if (guardedPools.has(pool)) return;
  guardedPools.add(pool);
  const onError = (error: Error) =>
    log(`PostgreSQL: connection lost (${errorText(error)}); requests using it fail, new connections are opened when the database answers`);
  pool.on('error', onError); // an idle client's error (after pg-pool has already dropped that client)
  pool.on('connect', (client) => client.on('error', onError));
  for (const client of pool._clients ?? []) client.on('error', onError);
}

function errorText(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: unknown } | undefined;
  const inner = e?.cause as { message?: string; code?: string } | undefined;
  const message = inner?.message && !e?.message?.includes(inner.message) ? `${e?.message}: ${inner.message}` : (e?.message ?? String(error));
  const code = e?.code ?? inner?.code;
  return code ? `${message} [${code}]` : message;
}
