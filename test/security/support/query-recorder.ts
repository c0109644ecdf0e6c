import type { Payload } from 'payload';

/** Adapter methods that reach the database (those this adapter has are wrapped). */
const QUERY_METHODS = [
  'find', 'findOne', 'findDistinct', 'count', 'countVersions', 'countGlobalVersions', 'queryDrafts', 'findVersions',
  'findGlobal', 'findGlobalVersions', 'create', 'createGlobal', 'createVersion', 'createGlobalVersion', 'updateOne',
  'updateMany', 'updateGlobal', 'updateVersion', 'updateGlobalVersion', 'upsert', 'deleteOne', 'deleteMany', 'deleteVersions',
] as const;

/**
 * Records every call to the database adapter (`payload.db`) until `stop()`, as `method:collection`, so a test can
 * tell exactly which queries a window of work made. Wraps whatever is installed (the module's own wrappers too).
 */
export function recordQueries(payload: Payload): { stop(): string[] } {
  const db = payload.db as unknown as Record<string, unknown>;
  const calls: string[] = [];
  const originals = new Map<string, unknown>();
  for (const method of QUERY_METHODS) {
    const original = db[method];
    if (typeof original !== 'function') continue;
    originals.set(method, original);
    db[method] = function recorded(this: unknown, args: { collection?: string; slug?: string } = {}, ...rest: unknown[]) {
      calls.push(`${method}:${args?.collection ?? args?.slug ?? ''}`);
      return (original as (...a: unknown[]) => unknown).call(this, args, ...rest);
    };
  }
  return {
    stop() {
      for (const [method, original] of originals) db[method] = original;
      return [...calls].sort();
    },
  };
}
