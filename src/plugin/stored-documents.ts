import type { Payload, PayloadRequest } from 'payload';
import { runAfterCommitOf } from './commit-queue.js';
import { sinkFor } from './realtime-registry.js';

type StoredDoc = Record<string, unknown>;

/**
 * Remembers, per request, each document exactly as the database adapter wrote or deleted it: depth 0, every
 * field, hidden ones included. Access-aware delivery must start from that full document (a recipient may read
 * more than the writer), and capturing it here saves re-reading it after commit. Never emitted as it is.
 */
const byRequest = new WeakMap<object, Map<string, StoredDoc>>();

const keyOf = (slug: string, id: unknown) => `${slug}\u0000${String(id)}`;

export function storedDocument(req: PayloadRequest, slug: string, id: unknown): StoredDoc | undefined {
  return byRequest.get(req)?.get(keyOf(slug, id));
}

/** Records a document as stored for a request (the capture below, and operations replayed from elsewhere). */
export function rememberStoredDocument(req: object, slug: string, doc: StoredDoc): void {
  const docs = byRequest.get(req) ?? new Map<string, StoredDoc>();
  docs.set(keyOf(slug, doc.id), doc);
  byRequest.set(req, docs);
}

type WriteArgs = { collection?: string; id?: string | number; where?: { id?: { equals?: unknown } }; req?: Partial<PayloadRequest> };

/** The id a single-document write touched: its result's, or (with `returning: false`, as logout writes) its args'. */
const writtenId = (args: WriteArgs, doc: StoredDoc | undefined): unknown =>
  doc && typeof doc === 'object' && 'id' in doc ? doc.id : (args.id ?? args.where?.id?.equals);

/**
 * Wraps the adapter's single-document writes once per instance (create, updateOne, deleteOne). A write to a user of
 * an auth collection — an update, a deletion, and a logout, which removes a session through `updateOne` — also
 * tells the module once committed, so that user's sockets follow before the next emit. Every such write passes
 * here (root or nested, REST or Local API); no Payload hook sees them all.
 */
export function installStoredDocumentCapture(payload: Payload): void {
  const db = payload.db as unknown as Record<string, unknown> & { storedDocumentCapture?: boolean };
  if (db.storedDocumentCapture) return;
  db.storedDocumentCapture = true;
  for (const method of ['create', 'updateOne', 'deleteOne'] as const) {
    const original = db[method] as ((args: WriteArgs) => Promise<unknown>) | undefined;
    if (typeof original !== 'function') continue;
    db[method] = async function capture(args: WriteArgs) {
      const doc = (await original.call(db, args)) as StoredDoc | undefined;
      const { req, collection } = args ?? {};
      // A copy: Payload's update and delete operations go on to populate the returned object in place.
      if (req && collection && doc && typeof doc === 'object' && 'id' in doc) rememberStoredDocument(req, collection, structuredClone(doc));
      const id = writtenId(args ?? {}, doc);
      if (method !== 'create' && collection && (typeof id === 'string' || typeof id === 'number') && payload.collections[collection]?.config.auth) {
        runAfterCommitOf(payload, req?.transactionID, () => sinkFor(payload)?.userChanged?.(collection, id));
      }
      return doc;
    };
  }
}
