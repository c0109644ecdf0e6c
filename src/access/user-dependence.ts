import type { Payload, SanitizedCollectionConfig } from 'payload';
import { isAuthSecretKey } from './auth-secrets.js';

/**
 * Whether the field walk of a collection can give different results for different users.
 * Field `access.read` and function `defaultValue`s receive the user; nothing else in the walk does.
 * When false, one field walk serves every principal allowed to read the document.
 * Cached per sanitized config (configs do not change after boot).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyField = Record<string, any>;

const cache = new WeakMap<SanitizedCollectionConfig, boolean>();

export function fieldsDependOnUser(payload: Payload, config: SanitizedCollectionConfig): boolean {
  let result = cache.get(config);
  if (result === undefined) {
    // Top-level auth secrets are stripped before the walk (e.g. `sessions`, whose access reads the user).
    const fields = (config.fields as AnyField[]).filter((f) => !(config.auth && isAuthSecretKey(f.name)));
    result = anyUserDependent(payload, fields, new Set());
    cache.set(config, result);
  }
  return result;
}

function anyUserDependent(payload: Payload, fields: AnyField[], seenBlocks: Set<unknown>): boolean {
  for (const field of fields) {
    if (typeof field.access?.read === 'function') return true;
    if (typeof field.defaultValue === 'function') return true;
    if (Array.isArray(field.fields) && anyUserDependent(payload, field.fields, seenBlocks)) return true;
    if (Array.isArray(field.tabs) && anyUserDependent(payload, field.tabs, seenBlocks)) return true;
    const blocks = [...(field.blocks ?? []), ...(field.blockReferences ?? [])] as Array<AnyField | string>;
    for (const ref of blocks) {
      const block = typeof ref === 'string' ? (payload.blocks as Record<string, AnyField>)[ref] : ref;
      if (!block || seenBlocks.has(block)) continue;
      seenBlocks.add(block);
      if (anyUserDependent(payload, block.fields ?? [], seenBlocks)) return true;
    }
  }
  return false;
}
