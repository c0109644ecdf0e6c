import { MODULE_HOOK } from '../constants.js';
import type { CollectionAfterOperationHook, CollectionBeforeOperationHook, CollectionConfig, Config, Plugin } from 'payload';
import { SESSIONS_COLLECTION_SLUG, createSessionsCollection } from '../session/stores/payload-session-store.js';
import { installCommitQueue } from './commit-queue.js';
import { enterOperation, leaveOperation, markAuthStrategies } from './operation-scope.js';
import type { RedisScaleOptions } from '../options.js';
import { startRelay } from '../scale/operation-relay.js';
import { sinkFor } from './realtime-registry.js';
import { installStoredDocumentCapture } from './stored-documents.js';

export interface PayloadSocketPluginOptions {
  /** `false` adds nothing (the seed's switch). */
  enabled?: boolean;
  /**
   * Publishing mode, for a process that runs no Socket.IO server (a worker, a script, Payload's admin in Next.js):
   * its operations go over this Redis to the socket servers, which apply the rules and access checks.
   */
  publish?: { redis: string | RedisScaleOptions };
}

const APPLIED = 'payloadSocket';

/**
 * The Payload side of the module, a pure config transform: it appends one beforeOperation and one afterOperation
 * hook per collection and chains `onInit`, never replacing what the user or other plugins set. The hooks hand each
 * operation to whatever sink is registered for the running instance (the Nest module); without one they cost a
 * WeakMap lookup.
 */
export const payloadSocketPlugin =
  (options: PayloadSocketPluginOptions = {}): Plugin =>
  (config: Config): Config => {
    if (options.enabled === false || isPluginApplied(config)) return config;
    const collections = (config.collections ?? []).map(withHooks);
    // Databases without a store library of their own keep sessions in a Payload collection (same database file).
    // A built (sanitized) config cannot take new collections any more.
    const sanitized = collections.some((collection) => 'flattenedFields' in collection);
    const storesSessionsInCollection = !['postgres', 'mongoose'].includes((config.db as { name?: string })?.name ?? '');
    if (storesSessionsInCollection && !sanitized && !collections.some((c) => c.slug === SESSIONS_COLLECTION_SLUG)) {
      collections.push(createSessionsCollection()); // a fresh object: Payload sanitizes collection configs in place
    }
    const userOnInit = config.onInit;
    return {
      ...config,
      collections,
      custom: { ...config.custom, [APPLIED]: true },
      onInit: async (payload) => {
        installCommitQueue(payload);
        installStoredDocumentCapture(payload);
        markAuthStrategies(payload);
        if (options.publish) await startRelay(payload, options.publish.redis);
        await userOnInit?.(payload);
      },
    };
  };

export const isPluginApplied = (config: { custom?: Record<string, unknown> }): boolean => config.custom?.[APPLIED] === true;

const beforeOperation: CollectionBeforeOperationHook = ({ args, req }) => {
  enterOperation(req, args);
};

const afterOperation: CollectionAfterOperationHook = ({ args, collection, operation, req, result }) => {
  const outermost = leaveOperation(req, args);
  const sink = sinkFor(req.payload);
  if (outermost && sink?.hasRules(collection.slug, operation)) {
    try {
      sink.handle({ slug: collection.slug, operation, args: args as Record<string, unknown>, req, result });
    } catch (error) {
      // Whatever goes wrong on the emit side, the write itself must not fail.
      req.payload.logger.error({ err: error, msg: `payload-socket: ${collection.slug}.${operation} could not be queued for emit` });
    }
  }
  return result;
};

Object.defineProperty(afterOperation, MODULE_HOOK, { value: true });

function withHooks<T extends CollectionConfig>(collection: T): T {
  const hooks = collection.hooks ?? {};
  return {
    ...collection,
    hooks: {
      ...hooks,
      beforeOperation: [...(hooks.beforeOperation ?? []), beforeOperation],
      afterOperation: [...(hooks.afterOperation ?? []), afterOperation],
    },
  };
}
