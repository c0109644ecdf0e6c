import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import { buildConfig, getPayload, type CollectionConfig, type Config, type Payload, type Where } from 'payload';
import type { PlainDoc, Recipient, RecipientUser, ViewEngine } from '../../../src/access/index.js';

/** A real Payload on a throwaway SQLite file, plus the helpers every access spec needs. */
export interface Harness {
  payload: Payload;
  /** reads the adapter served (find/findOne/count/...) since the last reset */
  dbCalls: { count: number };
  close(): Promise<void>;
}

export interface BootOptions {
  localization?: Config['localization'];
}

/** The localization every localized spec uses: en and de, falling back to en. */
export const EN_DE: Config['localization'] = { locales: ['en', 'de'], defaultLocale: 'en', fallback: true };

export async function bootPayload(name: string, collections: CollectionConfig[], options: BootOptions = {}): Promise<Harness> {
  process.env.DISABLE_PAYLOAD_HMR = 'true';
  process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true'; // one fresh database per spec file: always push
  const id = randomBytes(6).toString('hex');
  const file = `/tmp/access-spec-${name}-${id}.db`;
  const config = buildConfig({
    secret: `access-spec-secret-${id}`,
    collections,
    ...(options.localization ? { localization: options.localization } : {}),
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

/**
 * The document as the database adapter stores it — what the engine is given in production (see
 * src/plugin/stored-documents.ts): depth 0, every field, every locale, hidden fields and auth secrets included.
 * Not a findByID result (that one has already been through the read pipeline).
 */
export async function fullDoc(payload: Payload, collection: string, id: string | number): Promise<PlainDoc> {
  const doc = await payload.db.findOne({ collection: collection as never, where: { id: { equals: id } } });
  if (!doc) throw new Error(`fullDoc: ${collection} ${id} is not stored`);
  return doc as unknown as PlainDoc;
}

export interface RecipientOptions {
  locale?: string;
  /** `req.user._strategy`: 'local-jwt' (the default) or 'api-key' */
  strategy?: string;
  headers?: Headers;
}

/** A recipient as the socket authenticator builds it: `user` with its `collection` and `_strategy`. */
export function recipient(user: RecipientUser | null, options: RecipientOptions = {}): Recipient {
  const strategy = options.strategy ?? 'local-jwt';
  const collection = user?.collection ?? 'users';
  const who = user ? `${collection}:${user.id}:${strategy}` : 'anonymous';
  return {
    key: `${who}:${options.locale ?? ''}`,
    user: user ? { ...user, collection, _strategy: strategy } : null,
    ...(options.locale !== undefined ? { locale: options.locale } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

/** The engine's view of one document for one recipient. */
export async function viewOf(
  engine: ViewEngine,
  collection: string,
  doc: PlainDoc | null,
  who: Recipient,
  options: { deleted?: boolean } = {},
): Promise<PlainDoc | null> {
  const views = await engine.views(collection, [doc], [who], options);
  const mine = views.get(who.key);
  if (!mine || mine.length !== 1) throw new Error(`viewOf: no view for ${who.key}`);
  return mine[0];
}

/**
 * What Payload itself answers this recipient (the reference the engine must equal): findByID at depth 0, access
 * not overridden, with the recipient's user (its `_strategy` included), locale and headers.
 */
export async function payloadView(payload: Payload, collection: string, id: string | number, who: Recipient): Promise<PlainDoc | null> {
  const doc = await payload.findByID({
    collection: collection as never,
    id,
    depth: 0,
    overrideAccess: false,
    disableErrors: true,
    ...(who.user ? { user: { ...who.user } as never } : {}),
    ...(who.locale !== undefined ? { locale: who.locale as never } : {}),
    ...(who.headers ? { req: { headers: who.headers } as never } : {}),
  });
  return (doc as unknown as PlainDoc | null) ?? null;
}

/** What reaches a socket: JSON, so `undefined` keys vanish and Dates become strings on both sides. */
export const wire = (value: unknown): unknown => (value === null || value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** A user as Payload puts it on `req.user` (with its `collection`; `recipient` adds `_strategy`). */
export async function loginAs(payload: Payload, collection: string, id: string | number): Promise<RecipientUser> {
  const user = await payload.findByID({ collection: collection as never, id, depth: 0, overrideAccess: true });
  return { ...(user as unknown as Record<string, unknown>), collection } as RecipientUser;
}

/** Does the database agree that `doc` matches `where`? (the ground truth for the in-memory proof) */
export async function dbMatches(payload: Payload, collection: string, id: string | number, where: Where, locale?: string): Promise<boolean> {
  const { totalDocs } = await payload.count({
    collection: collection as never,
    overrideAccess: true,
    ...(locale ? { locale: locale as never } : {}),
    where: { and: [{ id: { equals: id } }, where] },
  });
  return totalDocs > 0;
}
