/**
 * Boots real Payload instances (SQLite file or PostgreSQL database) for the session store tests, and the test suite
 * every store must pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@payloadcms/db-postgres';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import type { SessionData } from 'express-session';
import { buildConfig, getPayload, type Payload } from 'payload';
import { shutdownPayload as shutdown } from '../../src/module/boot-payload.js';
import type { Pool } from 'pg';
import { createSessionsCollection, SESSIONS_COLLECTION_SLUG } from '../../src/session/stores/payload-session-store.js';
import type { SessionStoreHandle } from '../../src/session/stores/create-session-store.js';
import { PG_SESSION_SCHEMA, PG_SESSION_TABLE } from '../../src/session/stores/postgres-session-store.js';
import { scaled } from '../support/timing.js';

// notes/payload3.md: no HMR socket, and push the schema on every boot (the push remembers the last schema per process).
process.env.DISABLE_PAYLOAD_HMR = 'true';
process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true';

let keyCounter = 0;
export const uniqueKey = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${++keyCounter}`;

export type DbTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface BootOptions {
  /** Add the sessions collection (default true). */
  sessions?: boolean;
  /** Receives every SQL statement Payload's drizzle runs (drizzle `logger`). */
  onQuery?: (sql: string) => void;
}

export async function bootPayload(target: DbTarget, options: BootOptions = {}): Promise<Payload> {
  const logger = options.onQuery ? { logQuery: (sql: string) => options.onQuery?.(sql) } : undefined;
  const db =
    target.kind === 'sqlite'
      ? sqliteAdapter({ client: { url: `file:${target.file}` }, logger })
      : postgresAdapter({ pool: { connectionString: target.url }, logger });
  const config = await buildConfig({
    secret: 'session-store-test-secret',
    typescript: { autoGenerate: false },
    telemetry: false,
    logger: { options: { level: 'error' } },
    db,
    collections: [
      ...(options.sessions === false ? [] : [createSessionsCollection()]),
      { slug: 'users', auth: true, fields: [] },
    ],
  });
  const key = uniqueKey(target.kind);
  const payload = await getPayload({ config, key });
  keys.set(payload, key);
  return payload;
}

const keys = new WeakMap<Payload, string>();
/** The `getPayload` cache key of an instance booted here (for `handleEndpoints`'s `payloadInstanceCacheKey`). */
export const payloadKey = (payload: Payload): string | undefined => keys.get(payload);

/** The module's own shutdown (ends the PostgreSQL pool `payload.destroy()` leaves open, drops the cache entry). */
export async function shutdownPayload(payload: Payload | undefined): Promise<void> {
  if (payload) await shutdown(payload, keys.get(payload) ?? '');
}

export function tempSqliteFile(): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nps-sessions-'));
  return { file: join(dir, 'payload.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- promisified store calls -----------------------------------------------------------------------------------

export const storeGet = (handle: SessionStoreHandle, sid: string): Promise<SessionData | null | undefined> =>
  new Promise((resolve, reject) => handle.store.get(sid, (err, s) => (err ? reject(err) : resolve(s))));
export const storeSet = (handle: SessionStoreHandle, sid: string, sess: SessionData): Promise<void> =>
  new Promise((resolve, reject) => handle.store.set(sid, sess, (err) => (err ? reject(err) : resolve())));
export const storeTouch = (handle: SessionStoreHandle, sid: string, sess: SessionData): Promise<void> =>
  new Promise((resolve, reject) =>
    handle.store.touch!(sid, sess, ((err?: unknown) => (err ? reject(err) : resolve())) as () => void),
  );
export const storeDestroy = (handle: SessionStoreHandle, sid: string): Promise<void> =>
  new Promise((resolve, reject) => handle.store.destroy(sid, (err) => (err ? reject(err) : resolve())));

/** A session as express-session hands it to a store (cookie serialised as JSON). */
export function sessionData(extra: Record<string, unknown>, expires: Date | null = null): SessionData {
  return {
    cookie: {
      originalMaxAge: expires ? 3600_000 : null,
      expires: expires ? expires.toISOString() : null,
      httpOnly: true,
      path: '/',
    },
    ...extra,
  } as unknown as SessionData;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  const bound = scaled(timeoutMs);
  while (!(await check())) {
    if (Date.now() - start > bound) throw new Error(`timed out after ${bound} ms waiting for ${what}`);
    await sleep(50);
  }
}

// ---- raw row access (bypasses the store, to see what is really stored) -------------------------------------------

export interface RawRow {
  expiresAt: Date;
}

/** The stored row of `sid`, expired or not, read behind the store's back. */
export async function rawRow(payload: Payload, kind: SessionStoreHandle['kind'], sid: string): Promise<RawRow | null> {
  if (kind === 'postgres') {
    const pool = (payload.db as unknown as { pool: Pool }).pool;
    const res = await pool.query<{ expire: Date }>(
      `SELECT expire FROM "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}" WHERE sid = $1`,
      [sid],
    );
    return res.rows[0] ? { expiresAt: res.rows[0].expire } : null;
  }
  const row = (await payload.db.findOne({
    collection: SESSIONS_COLLECTION_SLUG as 'users',
    where: { sid: { equals: sid } },
  })) as { expiresAt?: string } | null;
  return row ? { expiresAt: new Date(row.expiresAt!) } : null;
}
