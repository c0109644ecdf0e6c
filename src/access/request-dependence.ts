import type { Payload, SanitizedCollectionConfig } from 'payload';
import { MODULE_HOOK } from '../constants.js';

// Field configs are a wide union; this walk only reads a few common properties.
type AnyField = Record<string, unknown> & { fields?: AnyField[]; tabs?: AnyField[]; blocks?: AnyField[]; blockReferences?: (AnyField | string)[] };

/**
 * Whether Payload's read pipeline can give two recipients (with the same locale) different views of one document:
 * anything in it that receives the request — collection `beforeRead`/`afterRead`/`afterOperation` hooks, field `afterRead` hooks,
 * field read access, function default values, virtual fields. When nothing does, one pipeline run per locale serves
 * every recipient allowed to read the document. Cached per sanitized config (configs do not change after boot).
 */
export class RequestDependence {
  private readonly cache = new WeakMap<SanitizedCollectionConfig, boolean>();

  constructor(private readonly payload: Payload) {}

  of(config: SanitizedCollectionConfig): boolean {
    let result = this.cache.get(config);
    if (result === undefined) {
      const hooks = config.hooks ?? {};
      const foreignAfterOperation = (hooks.afterOperation ?? []).some((hook) => !(hook as unknown as Record<symbol, unknown>)[MODULE_HOOK]);
      result = Boolean(hooks.beforeRead?.length || hooks.afterRead?.length) || foreignAfterOperation || this.anyField(config.fields as unknown as AnyField[], new Set());
      this.cache.set(config, result);
    }
    return result;
  }

  private anyField(fields: AnyField[], seenBlocks: Set<unknown>): boolean {
    for (const field of fields) {
      const access = field.access as { read?: unknown } | undefined;
      const hooks = field.hooks as { afterRead?: unknown[] } | undefined;
      if (typeof access?.read === 'function' || hooks?.afterRead?.length) return true;
      if (typeof field.defaultValue === 'function' || field.virtual) return true;
      if (Array.isArray(field.fields) && this.anyField(field.fields, seenBlocks)) return true;
      if (Array.isArray(field.tabs) && this.anyField(field.tabs, seenBlocks)) return true;
      for (const ref of [...(field.blocks ?? []), ...(field.blockReferences ?? [])]) {
        const block = typeof ref === 'string' ? (this.payload.blocks as Record<string, AnyField>)[ref] : ref;
        if (!block || seenBlocks.has(block)) continue;
        seenBlocks.add(block);
        if (this.anyField(block.fields ?? [], seenBlocks)) return true;
      }
    }
    return false;
  }
}
