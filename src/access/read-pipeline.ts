import { afterReadTraverseFields, type JsonObject, type PayloadRequest, type SanitizedCollectionConfig } from 'payload';
import { MODULE_HOOK } from '../constants.js';
import { AUTH_SECRET_KEYS } from './auth-secrets.js';
import { clonePlain } from './plain.js';
import type { PlainDoc } from './types.js';

/**
 * A stored document as REST's `findByID` at depth 0 hands it back to the request `req`, after the query: the
 * `collection` key of auth documents, collection `beforeRead` hooks, Payload's own afterRead field traversal (field
 * read access, `hidden`, field `afterRead` hooks, locale flattening to `req.locale`/`req.fallbackLocale`, defaults)
 * collection `afterRead` hooks and `afterOperation` hooks (as `findByID`) — the same order as payload/dist/collections/operations/findByID.js.
 *
 * The traversal is Payload's exported `afterReadTraverseFields`; only its small driver loop (Payload's `afterRead`,
 * which the package does not export) is written here. Auth secrets Payload would show the user themself (the
 * `sessions` list) are removed at the end: the contract never emits them.
 */
export async function readThroughPayload(config: SanitizedCollectionConfig, stored: PlainDoc, req: PayloadRequest): Promise<PlainDoc> {
  let doc: PlainDoc = clonePlain(stored); // hooks may edit what they get; the stored document is shared
  if (config.auth) doc = { ...doc, collection: config.slug };
  const query = { id: { equals: doc.id } };
  for (const hook of config.hooks?.beforeRead ?? []) {
    doc = ((await hook({ collection: config, context: req.context, doc, overrideAccess: false, query, req } as never)) as PlainDoc) || doc;
  }
  doc = await afterReadFields(config, doc, req);
  for (const hook of config.hooks?.afterRead ?? []) {
    doc = ((await hook({ collection: config, context: req.context, doc, overrideAccess: false, query, req } as never)) as PlainDoc) || doc;
  }
  // findByID's last step: afterOperation hooks may still replace the result (the module's own hook emits; skipped).
  const args = { collection: { config }, depth: 0, id: doc.id, overrideAccess: false, req };
  for (const hook of config.hooks?.afterOperation ?? []) {
    if ((hook as unknown as Record<symbol, unknown>)[MODULE_HOOK]) continue;
    doc = ((await hook({ args, collection: config, operation: 'findByID', overrideAccess: false, req, result: doc } as never)) as PlainDoc) ?? doc;
  }
  if (!doc || typeof doc !== 'object') throw new Error('an afterOperation hook returned no document');
  if (config.auth) for (const key of AUTH_SECRET_KEYS) delete doc[key];
  return doc;
}

/** Payload's `afterRead` (fields/hooks/afterRead/index.js) at depth 0, for a collection, without select. */
async function afterReadFields(config: SanitizedCollectionConfig, doc: PlainDoc, req: PayloadRequest): Promise<PlainDoc> {
  const fieldPromises: Promise<void>[] = [];
  const populationPromises: Promise<void>[] = [];
  afterReadTraverseFields({
    collection: config,
    context: req.context,
    currentDepth: 1,
    depth: 0,
    doc: doc as JsonObject,
    draft: false,
    fallbackLocale: req.fallbackLocale ?? null,
    fieldDepth: 0,
    fieldPromises,
    fields: config.fields,
    findMany: false,
    flattenLocales: true,
    global: null,
    locale: req.locale ?? null,
    overrideAccess: false,
    parentIndexPath: '',
    parentIsLocalized: false,
    parentPath: '',
    parentSchemaPath: '',
    populationPromises,
    req,
    showHiddenFields: false,
    siblingDoc: doc as JsonObject,
  } as Parameters<typeof afterReadTraverseFields>[0]);
  // A field promise may add more (Payload loops the same way, and gives up after 100 rounds).
  for (let round = 0; fieldPromises.length > 0 || populationPromises.length > 0; round++) {
    if (round >= 100) throw new Error('afterRead hooks keep adding work (more than 100 rounds)');
    await Promise.all(fieldPromises.splice(0));
    await Promise.all(populationPromises.splice(0));
  }
  return doc;
}
