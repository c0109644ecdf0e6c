import type { Payload, PayloadRequest, SanitizedCollectionConfig, Where } from 'payload';
import { clonePlain } from './plain.js';
import { stableKey } from './stable-key.js';
import { matchWhere } from './where-matcher.js';
import type { AccessContext, PlainDoc } from './types.js';

/** What a collection `access.read` said: allow, deny, or "only documents matching this". */
export type CollectionAccessResult = boolean | Where;

/**
 * Calls the collection's `access.read` the way findByID does (auth/executeAccess.js):
 * `access({ id, req, isReadingStaticFile: false })`; no access function means "any logged-in user".
 * A throwing access function denies (and is reported), like a 403 would.
 */
export async function evaluateCollectionRead(
  config: SanitizedCollectionConfig,
  req: PayloadRequest,
  id: unknown,
  ctx: AccessContext,
): Promise<CollectionAccessResult> {
  ctx.stats.accessEvaluations++;
  const access = config.access?.read;
  if (typeof access !== 'function') return Boolean(req.user);
  try {
    const result = await access({ id: id as string | number, isReadingStaticFile: false, req } as Parameters<typeof access>[0]);
    if (!result) return false;
    // Payload treats any non-object truthy value as "true"; an object is a Where.
    return typeof result === 'object' ? (result as Where) : true;
  } catch (error) {
    ctx.onError(error, { collection: ctx.collection, phase: 'collection-access', userId: req.user?.id ?? null });
    return false;
  }
}

/**
 * Decides a `Where` for one document: in memory when the matcher is sure, otherwise ONE database query
 * (by id AND the Where). A deleted document cannot be queried: undecidable means deny.
 *
 * The query goes to the adapter (`payload.db.count`), not `payload.find`: no hooks, so it cannot fire this
 * module's own afterOperation rules (a `find` rule would otherwise emit an access-free result).
 */
export async function decideWhere(
  payload: Payload,
  where: Where,
  doc: PlainDoc,
  deleted: boolean,
  ctx: AccessContext,
): Promise<boolean> {
  ctx.stats.whereMatches++;
  const matched = matchWhere(where, doc);
  if (matched !== undefined) return matched;
  if (deleted || doc.id === undefined || doc.id === null) return false;
  ctx.stats.queries++;
  try {
    const { totalDocs } = await payload.db.count({
      collection: ctx.collection,
      locale: defaultLocale(payload),
      // a copy: adapters may rewrite the Where they are given.
      where: { and: [{ id: { equals: doc.id } }, clonePlain(where)] } as Where,
      req: {} as PayloadRequest,
    });
    return totalDocs > 0;
  } catch (error) {
    ctx.onError(error, { collection: ctx.collection, phase: 'query' });
    return false;
  }
}

const defaultLocale = (payload: Payload): string | undefined =>
  payload.config.localization ? payload.config.localization.defaultLocale : undefined;

/** Stable text of an access result, so equal `Where`s (built per user) group together. */
export function accessResultKey(result: CollectionAccessResult): string {
  return typeof result === 'boolean' ? String(result) : `where:${stableKey(result)}`;
}
