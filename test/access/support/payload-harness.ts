import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import { buildConfig, getPayload, type CollectionConfig, type Payload, type Where } from 'payload';
import type { PlainDoc, Principal } from '../../../src/access/index.js';

/** A real Payload on a throwaway SQLite file, plus the helpers every access spec needs. */
export interface Harness {
  payload: Payload;
  /** database calls made through the adapter (find/findOne/count/...) since the last reset */
  dbCalls: { count: number };
  close(): Promise<void>;
}

export async function bootPayload(name: string, collections: CollectionConfig[]): Promise<Harness> {
  process.env.DISABLE_PAYLOAD_HMR = 'true';
  process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true'; // one fresh database per spec file: always push
  const id = randomBytes(6).toString('hex');
  const file = `/tmp/access-spec-${name}-${id}.db`;
  const config = buildConfig({
    secret: `access-spec-secret-${id}`,
    collections,
    db: sqliteAdapter({ client: { url: `file:${file}` } }),
    typescript: { autoGenerate: false },
    telemetry: false,
    logger: { options: { level: 'warn' } },
  });
  const payload = await getPayload({ config, key: `access-spec-${name}-${id}` });
  const dbCalls = { count: 0 };
  // Count every read the adapter serves: the engine's fallback query must show up here.
  const db = payload.db as unknown as Record<string, unknown>;
  for (const method of ['find', 'findOne', 'count', 'findDistinct', 'queryDrafts']) {
    const original = db[method];
    if (typeof original !== 'function') continue;
    db[method] = (...args: unknown[]) => {
      dbCalls.count++;
      return (original as (...a: unknown[]) => unknown).apply(payload.db, args);
    };
  }
  return {
    payload,
    dbCalls,
    async close() {
      await payload.destroy();
      rmSync(file, { force: true });
    },
  };
}

/** The full stored document at depth 0, as the emitter would read it (every field, hidden ones too). */
export async function fullDoc(payload: Payload, collection: string, id: string | number): Promise<PlainDoc> {
  return (await payload.findByID({
    collection: collection as never,
    id,
    depth: 0,
    overrideAccess: true,
    showHiddenFields: true,
  })) as unknown as PlainDoc;
}

/** What Payload itself lets `user` read (the reference the engine must equal). */
export async function payloadView(
  payload: Payload,
  collection: string,
  id: string | number,
  user: Principal,
): Promise<PlainDoc | null> {
  const doc = await payload.findByID({
    collection: collection as never,
    id,
    depth: 0,
    overrideAccess: false,
    disableErrors: true,
    ...(user ? { user: user as never } : {}),
  });
  return (doc as unknown as PlainDoc | null) ?? null;
}

/** What reaches a socket: JSON, so `undefined` keys vanish and Dates become strings on both sides. */
export const wire = (value: unknown): unknown => (value === null ? null : JSON.parse(JSON.stringify(value)));

/** A user as Payload puts it on `req.user` (with its `collection`). */
export async function loginAs(payload: Payload, collection: string, id: string | number): Promise<NonNullable<Principal>> {
  const user = await payload.findByID({ collection: collection as never, id, depth: 0, overrideAccess: true });
  return { ...(user as unknown as Record<string, unknown>), collection } as NonNullable<Principal>;
}

/** Does the database agree that `doc` matches `where`? (the ground truth for the matcher) */
export async function dbMatches(payload: Payload, collection: string, id: string | number, where: Where): Promise<boolean> {
  const { totalDocs } = await payload.count({
    collection: collection as never,
    overrideAccess: true,
    where: { and: [{ id: { equals: id } }, where] },
  });
  return totalDocs > 0;
}
