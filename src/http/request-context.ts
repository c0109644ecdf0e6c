import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the module knows about the HTTP request an operation runs for. Payload resets `req.context` per REST
 * request, so this travels in AsyncLocalStorage, which every hook (nested operations included) can read.
 */
export interface RequestContext {
  /** express-session id of the requester, when the request carried or got a session. */
  sessionID?: string;
  /** Free slots for applications and later features. */
  values: Map<string | symbol, unknown>;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context of the HTTP request being handled, or `undefined` outside any request (scripts, timers). */
export function getRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
