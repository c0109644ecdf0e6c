import type { Payload, SanitizedCollectionConfig } from 'payload';
import { createAccessRequest } from './access-request.js';
import { decideWhere, evaluateCollectionRead } from './collection-access.js';
import { buildFieldView } from './field-view.js';
import { emptyStats, type AccessContext, type AccessErrorHandler, type AccessStats, type PlainDoc, type Principal } from './types.js';

export interface ReadViewOptions {
  /** The document no longer exists (deleteByID/delete): a `Where` that needs the database denies. */
  deleted?: boolean;
  /** Reported when an access function or the fallback query throws (the principal is denied). */
  onError?: AccessErrorHandler;
  /** Counters to add to (shared across calls if the caller wants totals). */
  stats?: AccessStats;
}

/**
 * The document as `user` may read it through Payload's REST API at depth 0, or `null` when denied.
 *
 * `doc` must be the full stored document at depth 0 — e.g. the Local API's
 * `findByID({ overrideAccess: true, showHiddenFields: true, depth: 0 })` or an operation result read the same
 * way — not a result already filtered for the writer (a reader with more rights would miss fields; never
 * the other way round). Field/collection `afterRead` hooks are not re-run: their output in `doc` is kept.
 * Auth collections never expose their secrets (see auth-secrets.ts), even to the user themself.
 */
export async function readView(
  payload: Payload,
  collection: string,
  doc: PlainDoc,
  user: Principal,
  options: ReadViewOptions = {},
): Promise<PlainDoc | null> {
  const config = collectionConfig(payload, collection);
  const ctx = accessContext(collection, options);
  const req = await createAccessRequest(payload, user);
  const access = await evaluateCollectionRead(config, req, doc.id, ctx);
  if (access === false) return null;
  if (access !== true && !(await decideWhere(payload, access, doc, options.deleted === true, ctx))) return null;
  return buildFieldView(config, doc, req, ctx);
}

export function collectionConfig(payload: Payload, collection: string): SanitizedCollectionConfig {
  const entry = payload.collections[collection as keyof typeof payload.collections];
  if (!entry) throw new Error(`nest-payload-socket: unknown collection "${collection}"`);
  return entry.config;
}

export function accessContext(
  collection: string,
  options: { onError?: AccessErrorHandler; stats?: AccessStats },
): AccessContext {
  return {
    collection,
    stats: options.stats ?? emptyStats(),
    // Default: never silent. A missing logger must not hide a broken access function.
    onError: options.onError ?? ((error, info) => console.error('[nest-payload-socket] access error', info, error)),
  };
}
