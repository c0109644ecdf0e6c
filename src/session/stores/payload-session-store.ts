import session from 'express-session';
import type { SessionData } from 'express-session';
import type { CollectionConfig, Payload, Where } from 'payload';

/** Slug (and, on SQL adapters, table `payload_socket_sessions`) of the module's session collection. */
export const SESSIONS_COLLECTION_SLUG = 'payload-socket-sessions';

/** Anything with `error` (and optionally `warn`/`info`) taking a message: Payload's pino logger, Nest's Logger, console. */
export interface SessionStoreLogger {
  error(message: string): void;
  warn?(message: string): void;
  info?(message: string): void;
}

const denyAll = (): boolean => false;

/**
 * The collection the Payload-backed session store writes to. Add it to the Payload config (the module's plugin does)
 * so that Payload's own schema push / migrations create its table and never see it as foreign.
 *
 * Nobody reads it through Payload: every access function denies, REST endpoints are switched off (`endpoints: false`
 * answers 501), it has no GraphQL types, and it is hidden from the admin panel. Only the store touches it, through
 * `payload.db`, which does not check access. No `custom.socketAccess`: writes to it never emit.
 *
 * Payload sanitizes collection configs in place (and marks them `_sanitized`), so each config should get its own
 * object: use `createSessionsCollection()` when building more than one config in a process.
 */
export function createSessionsCollection(): CollectionConfig {
  return {
    slug: SESSIONS_COLLECTION_SLUG,
    access: {
      admin: denyAll,
      create: denyAll,
      delete: denyAll,
      read: denyAll,
      readVersions: denyAll,
      unlock: denyAll,
      update: denyAll,
    },
    admin: { hidden: true },
    disableDuplicate: true,
    endpoints: false,
    graphQL: false,
    lockDocuments: false,
    timestamps: false,
    versions: false,
    fields: [
      { name: 'sid', type: 'text', required: true, unique: true, index: true },
      { name: 'data', type: 'json', required: true },
      { name: 'expiresAt', type: 'date', required: true, index: true },
    ],
  };
}

/** One instance of `createSessionsCollection()`, for a process with a single Payload config. */
export const sessionsCollection: CollectionConfig = createSessionsCollection();

export interface PayloadSessionStoreOptions {
  /** Lifetime of a session whose cookie has no `expires` (a browser-session cookie). */
  ttlSeconds: number;
  /** How often expired rows are deleted. Default 900 (15 minutes, like connect-pg-simple). */
  pruneIntervalSeconds?: number;
  logger?: SessionStoreLogger;
  /** Collection slug; default `payload-socket-sessions`. */
  collection?: string;
}

type Callback<T = void> = (err: unknown, value?: T) => void;

/** Calls a node-style callback outside the promise chain, so an exception thrown by the callback is not swallowed. */
function callbackify<T>(promise: Promise<T>, callback: Callback<T> | undefined): void {
  promise.then(
    (value) => {
      if (callback) process.nextTick(callback, null, value);
    },
    (err: unknown) => {
      if (callback) process.nextTick(callback, err ?? new Error('session store operation failed'));
    },
  );
}

/**
 * Expiry of a session: the cookie's own `expires` when it has one, else now + ttl (the same rule connect-pg-simple
 * and connect-mongo follow).
 */
export function sessionExpiry(sess: Partial<SessionData> | undefined, ttlSeconds: number, now = Date.now()): Date {
  const expires = sess?.cookie?.expires as Date | string | null | undefined;
  if (expires) {
    const date = new Date(expires);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return new Date(now + ttlSeconds * 1000);
}

/**
 * An express-session store that keeps sessions in a Payload collection, through `payload.db` (the adapter's own
 * CRUD, no SQL), so it works on every Payload database adapter.
 *
 * Why `payload.db` and not the Local API: the Local API runs access, hooks, validation, field traversal and (on
 * PostgreSQL) a transaction per call, and its `create`/`update` re-read the document. `payload.db` issues exactly:
 * - `get`: one SELECT (`findOne` on sid, expiry in the WHERE: an expired row reads as missing);
 * - `set` of an existing session: one UPDATE … RETURNING (`updateOne` with `options.atomic`, which Payload's own
 *   forgotPassword uses); of a new session: that UPDATE (0 rows) + one INSERT;
 * - `touch`: one UPDATE of `expiresAt` only (an already expired row is not revived);
 * - `destroy` and each prune: one DELETE.
 * The query counts are asserted in test/session-stores/suite.ts. Measured (sequential, local): SQLite file — get
 * ~0.7 ms, set ~1.7 ms (existing) / ~2.7 ms (new); PostgreSQL 15 — get ~0.8 ms, set ~0.9 / ~2.0 ms (connect-pg-simple
 * there: get ~0.2 ms, set ~0.5 ms, which is why PostgreSQL uses it).
 */
export class PayloadSessionStore extends session.Store {
  private readonly slug: string;
  private readonly ttlSeconds: number;
  private readonly logger: SessionStoreLogger;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly payload: Payload,
    options: PayloadSessionStoreOptions,
  ) {
    super();
    this.slug = options.collection ?? SESSIONS_COLLECTION_SLUG;
    this.ttlSeconds = options.ttlSeconds;
    this.logger = options.logger ?? payload.logger;
    if (!payload.collections[this.slug as keyof typeof payload.collections]) {
      throw new Error(
        `nest-payload-socket: the session collection "${this.slug}" is not in the Payload config. ` +
          'Add `sessionsCollection` to `collections` (payloadSocketPlugin does this for you).',
      );
    }
    const pruneMs = (options.pruneIntervalSeconds ?? 900) * 1000;
    if (pruneMs > 0) {
      this.pruneTimer = setInterval(() => {
        if (!this.pruning) void this.prune().catch(() => undefined);
      }, pruneMs);
      this.pruneTimer.unref();
    }
  }

  private get collection(): Parameters<Payload['db']['findOne']>[0]['collection'] {
    return this.slug as Parameters<Payload['db']['findOne']>[0]['collection'];
  }

  private whereLive(sid: string, now = new Date()): Where {
    return { and: [{ sid: { equals: sid } }, { expiresAt: { greater_than: now.toISOString() } }] };
  }

  /** Reads a live session, or undefined. */
  async getSession(sid: string): Promise<SessionData | undefined> {
    const row = (await this.payload.db.findOne({
      collection: this.collection,
      where: this.whereLive(sid),
      select: { data: true },
    })) as { data?: unknown } | null;
    if (!row || row.data == null) return undefined;
    const data = typeof row.data === 'string' ? (JSON.parse(row.data) as unknown) : row.data;
    return data as SessionData;
  }

  async setSession(sid: string, sess: SessionData): Promise<void> {
    // A plain JSON copy: what comes back from `get` is what express-session would get from any store.
    const data = JSON.parse(JSON.stringify(sess)) as Record<string, unknown>;
    const expiresAt = sessionExpiry(sess, this.ttlSeconds).toISOString();
    if (await this.updateBySid(sid, { data, expiresAt })) return;
    try {
      await this.payload.db.create({
        collection: this.collection,
        data: { sid, data, expiresAt },
        returning: false,
      });
    } catch (err) {
      // Two requests of a brand-new session may both miss the UPDATE; the slower INSERT hits the unique sid.
      if (await this.updateBySid(sid, { data, expiresAt })) return;
      throw err;
    }
  }

  async touchSession(sid: string, sess: SessionData): Promise<void> {
    const expiresAt = sessionExpiry(sess, this.ttlSeconds).toISOString();
    await this.payload.db.updateOne({
      collection: this.collection,
      where: this.whereLive(sid),
      data: { expiresAt },
      options: { atomic: true },
    });
  }

  async destroySession(sid: string): Promise<void> {
    await this.payload.db.deleteMany({ collection: this.collection, where: { sid: { equals: sid } } });
  }

  /** Deletes every expired row now. Also runs on the prune interval. */
  prune(): Promise<void> {
    if (this.pruning) return this.pruning;
    this.pruning = this.payload.db
      .deleteMany({
        collection: this.collection,
        where: { expiresAt: { less_than_equal: new Date().toISOString() } },
      })
      .catch((err: unknown) => {
        if (!this.closed) this.logger.error(`nest-payload-socket: pruning expired sessions failed: ${errorMessage(err)}`);
        throw err;
      })
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  /** Stops the prune timer and waits for a prune in flight. Does not touch Payload's connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.pruning?.catch(() => undefined);
  }

  private async updateBySid(sid: string, data: Record<string, unknown>): Promise<boolean> {
    const updated: unknown = await this.payload.db.updateOne({
      collection: this.collection,
      where: { sid: { equals: sid } },
      data,
      options: { atomic: true },
    });
    return updated != null;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    callbackify(
      this.getSession(sid).then((s) => s ?? null),
      callback,
    );
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    callbackify(this.setSession(sid, sess), callback);
  }

  override touch(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    callbackify(this.touchSession(sid, sess), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    callbackify(this.destroySession(sid), callback);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
