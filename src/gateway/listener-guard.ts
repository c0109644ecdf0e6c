import type { Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Socket } from 'socket.io';
import { deeperThan, maxDepthOf } from './payload-depth.js';

/** Who attaches listeners right now: the `@OnConnect` handler (or `onConnect` function) being run. */
export interface HandlerScope {
  /** `Class.method` or `onConnect[i] (name)`. */
  source: string;
  logger: Logger;
}

type Listener = (...args: any[]) => unknown;
type Guard = Listener & { [GUARD]?: true };

const scope = new AsyncLocalStorage<HandlerScope>();
const GUARD = Symbol('payload-socket.guard');
/** A listener's guards, one per event (and one for each of onAny, onAnyOutgoing): what `off` must remove. */
const guardsOf = new WeakMap<Listener, Map<unknown, Guard>>();
const ANY = Symbol('any');
const OUTGOING = Symbol('outgoing');

/**
 * Runs an `@OnConnect` handler so that every listener it attaches to a socket, now or after an await, and every
 * listener those attach in turn, is guarded: a throw or a rejection is caught, logged with the event and the
 * handler, and answered to the client's ack (when it sent one) with `{ error }`. Unguarded, one bad packet to a
 * listener that throws (or whose promise rejects) ends the process.
 */
export function runInHandlerScope<T>(handler: HandlerScope, run: () => T): T {
  installGuards();
  return scope.run(handler, run);
}

let installed = false;

/**
 * Socket's listener methods learn to guard what is attached inside a handler scope; outside one (the module's own
 * listeners, Nest's `@SubscribeMessage` bindings, other servers) they do exactly what they did. Patched once on the
 * prototype, so no socket pays memory for it.
 */
function installGuards(): void {
  if (installed) return;
  installed = true;
  const proto = Socket.prototype as unknown as Record<string, Listener>;
  for (const name of ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener']) {
    const original = proto[name];
    proto[name] = function (this: Socket, event: string, listener: Listener) {
      const handler = scope.getStore();
      // `once` hands `on` a wrapper of the guard it already made: guard it only once.
      const guarded = !handler || isGuard(listener) || isGuard((listener as { listener?: Listener }).listener) ? listener : guardFor(listener, event, handler, () => event);
      return original.call(this, event, guarded);
    };
  }
  for (const name of ['off', 'removeListener']) {
    const original = proto[name];
    proto[name] = function (this: Socket, event: string, listener?: Listener) {
      const guard = listener && guardsOf.get(listener)?.get(event);
      const attached = guard && this.rawListeners(event).some((l) => l === guard || (l as { listener?: Listener }).listener === guard);
      return original.call(this, event, attached ? guard : listener);
    };
  }
  for (const [add, remove, list, key] of [
    ['onAny', 'offAny', 'listenersAny', ANY],
    ['prependAny', 'offAny', 'listenersAny', ANY],
    ['onAnyOutgoing', 'offAnyOutgoing', 'listenersAnyOutgoing', OUTGOING],
    ['prependAnyOutgoing', 'offAnyOutgoing', 'listenersAnyOutgoing', OUTGOING],
  ] as const) {
    const original = proto[add];
    proto[add] = function (this: Socket, listener: Listener) {
      const handler = scope.getStore();
      return original.call(this, handler ? guardFor(listener, key, handler, (args) => String(args[0]), key === ANY) : listener);
    };
    if (add.startsWith('prepend')) continue;
    const originalRemove = proto[remove];
    proto[remove] = function (this: Socket, listener?: Listener) {
      const guard = listener && guardsOf.get(listener)?.get(key);
      const attached = guard && (this[list as 'listenersAny']() as Listener[]).includes(guard);
      return originalRemove.call(this, attached ? guard : listener);
    };
  }
  const use = proto.use;
  proto.use = function (this: Socket, middleware: Listener) {
    const handler = scope.getStore();
    return use.call(this, handler ? guardMiddleware(this, middleware, handler) : middleware);
  };
}

const isGuard = (value: unknown): boolean => typeof value === 'function' && (value as Guard)[GUARD] === true;

function guardFor(listener: Listener, key: unknown, handler: HandlerScope, eventOf: (args: unknown[]) => string, checksDepth = false): Guard {
  if (typeof listener !== 'function') return listener; // let Socket.IO / EventEmitter refuse it as they do
  let guards = guardsOf.get(listener);
  if (!guards) guardsOf.set(listener, (guards = new Map()));
  let guard = guards.get(key);
  if (guard) return guard;
  guard = function (this: Socket, ...args: unknown[]) {
    // onAny listeners run before Socket.IO's middlewares, where too deep payloads are refused (and answered).
    if (checksDepth && deeperThan(args, maxDepthOf(this))) return undefined;
    try {
      const result = scope.run(handler, () => listener.apply(this, args));
      if (isThenable(result)) result.then(undefined, (error: unknown) => failed(this, handler, eventOf(args), args, error));
      return result;
    } catch (error) {
      failed(this, handler, eventOf(args), args, error);
      return undefined;
    }
  };
  guard[GUARD] = true;
  guards.set(key, guard);
  return guard;
}

function guardMiddleware(socket: Socket, middleware: Listener, handler: HandlerScope): Listener {
  return (packet: unknown[], next: unknown) => {
    try {
      const result = scope.run(handler, () => middleware(packet, next));
      if (isThenable(result)) result.then(undefined, (error: unknown) => failed(socket, handler, String(packet[0]), packet, error));
    } catch (error) {
      failed(socket, handler, String(packet[0]), packet, error); // the packet is dropped: `next` was not called
    }
  };
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';

/** Last report per handler and event: a client repeating a failing event must not flood the log. */
const lastReport = new Map<string, { at: number; suppressed: number }>();
const REPORT_INTERVAL_MS = 5000;

function failed(socket: Socket, handler: HandlerScope, event: string, args: unknown[], error: unknown): void {
  const ack = args[args.length - 1];
  if (typeof ack === 'function') {
    try {
      ack({ error: clientMessage(error) }); // Socket.IO sends an ack once: a listener that already answered wins
    } catch {
      /* the socket is gone */
    }
  }
  const key = `${handler.source}\u0000${event}`;
  const now = Date.now();
  const last = lastReport.get(key);
  if (last && now - last.at < REPORT_INTERVAL_MS) {
    last.suppressed++;
    return;
  }
  if (lastReport.size >= 1000) lastReport.clear();
  lastReport.set(key, { at: now, suppressed: 0 });
  const more = last?.suppressed ? ` (and ${last.suppressed} more failures since the last report)` : '';
  const message = (error as Error)?.message ?? String(error);
  handler.logger.error(
    `Listener for "${event.slice(0, 100)}" (${handler.source}) failed for socket ${socket.id}: ${message}${more}`,
    (error as Error)?.stack,
  );
}

/**
 * What the client is told: the message of an error meant for it (Nest's `WsException`, a Payload or HTTP error
 * with a 4xx status), otherwise nothing of the server's internals, as Nest and Payload answer such errors.
 */
function clientMessage(error: unknown): string {
  const { name, status, statusCode, message } = (error ?? {}) as { name?: string; status?: unknown; statusCode?: unknown; message?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  const forClient = name === 'WsException' || (code !== undefined && code >= 400 && code < 500);
  return forClient && typeof message === 'string' ? message : 'Internal server error';
}
