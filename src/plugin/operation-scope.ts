import { AsyncLocalStorage } from 'node:async_hooks';
import type { Payload, PayloadRequest } from 'payload';

/**
 * Tells the operations a caller asked for from those Payload runs for its own bookkeeping, which must not emit:
 * - operations nested inside another one on the same request (forgotPassword's internal update, …): the first
 *   operation a request begins is its root, recognised in afterOperation by its `args` object (the same in both
 *   hooks). A depth count would not do: some nested reads return early without their afterOperation;
 * - the user lookup of authentication strategies (the JWT strategy's `findByID` on every request);
 * - the finds of the request's dataloader, which populates relationships: GraphQL resolves them after the
 *   operation that read the parent returned, when no root is open.
 */
const rootByRequest = new WeakMap<object, object>();
const authenticating = new AsyncLocalStorage<true>();
const markedLoaders = new WeakSet<object>();

export function enterOperation(req: PayloadRequest, args: object): void {
  markDataLoader(req);
  if (authenticating.getStore() === undefined && !rootByRequest.has(req)) rootByRequest.set(req, args);
}

/**
 * DataLoader schedules its batch from inside the `load` call that opens it, so a batch started inside the marker
 * runs its `find` inside it too. Wrapped once per loader (one per request).
 */
function markDataLoader(req: PayloadRequest): void {
  const loader = req.payloadDataLoader as unknown as Record<string, unknown> | undefined;
  if (!loader || typeof loader !== 'object' || markedLoaders.has(loader)) return;
  markedLoaders.add(loader);
  for (const method of ['load', 'loadMany', 'find']) {
    const original = loader[method];
    if (typeof original !== 'function') continue;
    loader[method] = (...args: unknown[]) => authenticating.run(true, () => original.apply(loader, args));
  }
}

/** Leaves an operation; true when it is the root of its request (so neither nested nor an auth lookup). */
export function leaveOperation(req: PayloadRequest, args: object): boolean {
  if (rootByRequest.get(req) !== args) return false;
  rootByRequest.delete(req);
  return true;
}

/** Runs every auth strategy inside a marker the hooks can see. Done once per Payload instance, at init. */
export function markAuthStrategies(payload: Payload): void {
  for (const strategy of payload.authStrategies ?? []) {
    const authenticate = strategy.authenticate;
    strategy.authenticate = (args) => authenticating.run(true, () => authenticate(args));
  }
}

/** Runs a lookup the module makes for itself (re-reading a socket's user) as bookkeeping: it emits nothing. */
export function asBookkeeping<T>(fn: () => T): T {
  return authenticating.run(true, fn);
}
