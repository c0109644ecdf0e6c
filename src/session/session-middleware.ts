import type { Logger } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import session, { type Store } from 'express-session';
import type { Payload } from 'payload';
import type { ResolvedOptions } from '../options.js';
import { lazySessions, type LazySessions } from './lazy-sessions.js';
import { sessionIdOnly } from './session-id.js';
import { createSessionStore, sessionStoreKind } from './stores/create-session-store.js';
import { SESSIONS_COLLECTION_SLUG } from './stores/payload-session-store.js';

export interface SessionRuntime {
  /** The one express-session middleware, shared by HTTP and the Socket.IO handshake. */
  middleware: RequestHandler;
  /** `middleware` for Payload's API: the session id from a valid cookie without loading the session. */
  idOnly: RequestHandler;
  /** `middleware` for Socket.IO handshakes: the sessions they start cost no store write until they carry data. */
  handshake: RequestHandler;
  store: Store;
  close(): Promise<void>;
}

const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The seed's session, made safe by default: persisted in Payload's own database unless a store is given,
 * signed with Payload's secret, httpOnly and SameSite=Lax cookies, `secure` whenever the request is HTTPS
 * (behind a proxy: set Express's `trust proxy`).
 */
export async function createSessionRuntime(options: ResolvedOptions, payload: Payload, logger: Logger): Promise<SessionRuntime> {
  const { ttlSeconds = DEFAULT_TTL_SECONDS, pruneIntervalSeconds, store: givenStore, cookie, ...sessionOptions } = options.session ?? {};
  const created = givenStore || !canPersist(payload, logger) ? undefined : await createSessionStore(payload, { ttlSeconds, pruneIntervalSeconds, logger });
  // A given store is an express-session Store (options.ts types only what the module needs of it).
  const store = lazyTouch((givenStore as Store | undefined) ?? created?.store ?? new session.MemoryStore(), ttlSeconds);
  const secret = sessionOptions.secret ?? payload.secret;
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: 'auto' as const, maxAge: ttlSeconds * 1000, ...cookie };
  const lazy = lazySessions(store, {
    maxAgeMs: cookieOptions.maxAge ?? ttlSeconds * 1000,
    cookie: cookieOptions,
    proxy: sessionOptions.proxy,
    genid: sessionOptions.genid,
  });
  const expressSession = session({
    secret,
    resave: false,
    saveUninitialized: true, // the first plain HTTP response sets the cookie that links later requests and sockets
    ...sessionOptions,
    genid: lazy.genid as never,
    store,
    cookie: cookieOptions,
  });
  const middleware: RequestHandler = (req, res, next) =>
    expressSession(req, res, (error?: unknown) => {
      lazy.afterLoad(req);
      next(error as never);
    });
  const handshake = handshakeSession(expressSession, lazy);
  const idOnly = sessionIdOnly(middleware, sessionOptions.name ?? 'connect.sid', (Array.isArray(secret) ? secret : [secret]) as string[]);
  return { middleware, idOnly, handshake, store, close: async () => created?.close() };
}

/**
 * The session middleware on a Socket.IO handshake. A session the handshake starts is not stored until it carries
 * data (lazy-sessions.ts): an anonymous client, or a flood of them, costs no store write per handshake, and a
 * websocket handshake, which has no response whose end would store it, needs no save of its own either.
 */
function handshakeSession(middleware: RequestHandler, lazy: LazySessions): RequestHandler {
  return (req, res, next) => {
    lazy.markHandshake(req);
    middleware(req, res, (error?: unknown) => {
      lazy.afterLoad(req);
      releaseSessionHooks(req, res);
      next(error as never);
    });
  };
}

/**
 * Engine.IO keeps the handshake request for the socket's life (`socket.request`), and a websocket handshake's
 * response object too. express-session leaves per-request hooks on them (`res.end`, the `writeHead` that sets the
 * cookie, `save`/`reload` wrappers on the session) that hold its whole middleware call: about 2 KB per socket. Once
 * the response is out they have nothing left to do; `socket.request.session` works on through Session's methods.
 */
function releaseSessionHooks(req: Request, res: Response): void {
  const release = () => {
    restoreOwn(res, ['writeHead', 'end']);
    if (req.session) restoreOwn(req.session, ['save', 'reload']);
  };
  if (!req.headers.upgrade) {
    res.once('finish', release);
    return;
  }
  const writeHead = res.writeHead; // a websocket handshake's response never ends: its headers are all it writes
  res.writeHead = function (this: Response, ...args: unknown[]) {
    const result = (writeHead as (...a: unknown[]) => Response).apply(this, args);
    release();
    return result;
  } as Response['writeHead'];
}

/** Own methods back to the prototype's; not deleted, which would turn the object into a larger dictionary object. */
function restoreOwn(target: object, names: string[]): void {
  const own = target as Record<string, unknown>;
  const proto = Object.getPrototypeOf(target) as Record<string, unknown>;
  for (const name of names) if (Object.hasOwn(target, name)) own[name] = proto[name];
}

/** A config built without the plugin lacks the sessions collection SQLite needs: say how to fix it, keep working. */
function canPersist(payload: Payload, logger: Logger): boolean {
  if (sessionStoreKind(payload) !== 'payload-collection' || payload.collections[SESSIONS_COLLECTION_SLUG as never]) return true;
  logger.warn(
    'Sessions are kept in memory (lost on restart): add payloadSocketPlugin() to your Payload config\'s `plugins` ' +
      'so they are stored in your database, or pass `session.store`.',
  );
  return false;
}

/**
 * express-session touches the store at the end of every request that carried a session: one database write per
 * API call. Touching the same session again within a small part of its lifetime changes nothing that matters
 * (connect-mongo's `touchAfter` idea), so those touches are skipped.
 */
function lazyTouch(store: Store, ttlSeconds: number): Store {
  const touch = store.touch?.bind(store);
  if (!touch) return store;
  const intervalMs = Math.min(3600, ttlSeconds / 10) * 1000;
  const touched = new Map<string, number>();
  store.touch = (sid, sess, callback) => {
    const now = Date.now();
    if (now - (touched.get(sid) ?? 0) < intervalMs) return callback?.();
    if (touched.size >= 10_000) touched.clear(); // bounded: forgetting only costs a write
    touched.set(sid, now);
    touch(sid, sess, callback);
  };
  return store;
}
