import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Store } from 'express-session';
import type { SessionCookieOptions } from '../options.js';

/**
 * Sessions a Socket.IO handshake starts cost no store write until they carry data.
 *
 * Every anonymous handshake starts a session (its cookie links the client's later requests and sockets, and names
 * its `self` room). Stored at once, a handshake flood is a database write per handshake. Instead, a session a
 * handshake starts gets an id that says so and when (`~h<issued>~<random>`, signed in the cookie like any id):
 * - its first, empty save is skipped (nothing but the cookie is in it);
 * - a lookup of such an id that the store does not know, within the cookie's lifetime, yields that empty session
 *   again (on any instance, after a restart): the cookie keeps working, over HTTP and for new sockets;
 * - once something is put in it, it is stored like any other session (and from then on read from the store);
 * - destroying it stores a tombstone until its lifetime ends, so the old cookie cannot bring it back.
 * Sessions started by plain HTTP requests are stored as express-session always does.
 */
export interface LazySessions {
  /** express-session's `genid`: a handshake's id for handshakes, the usual one otherwise. */
  genid(req: IncomingMessage): string;
  /** Marks a request as a Socket.IO handshake, before the session middleware runs on it. */
  markHandshake(req: IncomingMessage): void;
  /** After the session middleware: cookie flags of a session that was never stored, as a new one would get them. */
  afterLoad(req: IncomingMessage): void;
}

const MARKED = /^~h([0-9a-z]{1,10})~[A-Za-z0-9_-]+$/;
const TOMBSTONE = '__payloadSocketDestroyed';

type Callback = (error?: unknown, value?: unknown) => void;
type SessionObject = Record<string, unknown> & { cookie?: Record<string, unknown> };

export function lazySessions(
  store: Store,
  options: { maxAgeMs: number; cookie: SessionCookieOptions; proxy?: boolean; genid?: (req: IncomingMessage) => string },
): LazySessions {
  const handshakes = new WeakSet<object>();
  /** Session data this module made up for a known-but-unstored id (what `get` answered). */
  const madeUp = new WeakSet<object>();
  /** Session objects (`req.session`) that are in the store: loaded from it, or written to it since. */
  const stored = new WeakSet<object>();
  /** Session objects built from made-up data (their cookie flags are fixed per request). */
  const unstored = new WeakSet<object>();
  const now = () => Date.now();

  /** Issue time (ms) of a handshake's id that is still within its lifetime, else undefined. */
  const liveHandshakeId = (sid: string): number | undefined => {
    const match = MARKED.exec(sid);
    if (!match) return undefined;
    const issued = parseInt(match[1], 36) * 1000;
    return issued + options.maxAgeMs > now() && issued <= now() + 60_000 ? issued : undefined;
  };
  const isEmpty = (sess: SessionObject) => Object.keys(sess).every((key) => key === 'cookie');

  const get = store.get.bind(store);
  store.get = (sid, callback) =>
    get(sid, (error, sess) => {
      if (error) return callback(error);
      if (sess) return callback(null, (sess as unknown as SessionObject)[TOMBSTONE] ? null : sess);
      const issued = liveHandshakeId(sid);
      if (issued === undefined) return callback(null, null);
      const data = { cookie: cookieData(issued) };
      madeUp.add(data);
      callback(null, data as never);
    });

  const createSession = store.createSession.bind(store);
  store.createSession = (req, sess) => {
    const session = createSession(req, sess);
    (madeUp.has(sess) ? unstored : stored).add(session);
    return session;
  };

  const set = store.set.bind(store);
  store.set = (sid, sess, callback) => {
    const session = sess as unknown as SessionObject;
    if (MARKED.test(sid) && !stored.has(session) && isEmpty(session)) return callback?.();
    set(sid, sess, (error?: unknown) => {
      if (!error) stored.add(session);
      callback?.(error);
    });
  };

  const touch = store.touch?.bind(store);
  if (touch) {
    store.touch = (sid, sess, callback) => {
      if (unstored.has(sess as object) && !stored.has(sess as object)) return callback?.(); // nothing to touch
      touch(sid, sess, callback);
    };
  }

  const destroy = store.destroy.bind(store);
  store.destroy = (sid, callback) => {
    const issued = liveHandshakeId(sid);
    if (issued === undefined) return destroy(sid, callback);
    set(sid, { cookie: cookieData(issued), [TOMBSTONE]: true } as never, callback as Callback);
  };

  function cookieData(issued: number): Record<string, unknown> {
    const { secure, sameSite, maxAge: _maxAge, expires: _expires, ...rest } = options.cookie;
    return {
      path: '/',
      ...rest,
      ...(secure === 'auto' ? {} : { secure }),
      ...(sameSite === undefined || (sameSite as unknown) === 'auto' ? {} : { sameSite }),
      originalMaxAge: options.maxAgeMs,
      expires: new Date(issued + options.maxAgeMs).toISOString(),
    };
  }

  return {
    genid(req) {
      if (!handshakes.has(req)) return options.genid ? options.genid(req) : randomBytes(24).toString('base64url');
      return `~h${Math.floor(now() / 1000).toString(36)}~${randomBytes(24).toString('base64url')}`;
    },
    markHandshake(req) {
      handshakes.add(req);
    },
    afterLoad(req) {
      const session = (req as { session?: SessionObject }).session;
      if (!session || !unstored.has(session) || !session.cookie) return;
      const isSecure = secureRequest(req, options.proxy);
      if (options.cookie.secure === 'auto') session.cookie.secure = isSecure;
      if ((options.cookie.sameSite as unknown) === 'auto') session.cookie.sameSite = isSecure ? 'none' : 'lax';
    },
  };
}

/** express-session's own rule for `secure: 'auto'`. */
function secureRequest(req: IncomingMessage, proxy: boolean | undefined): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  if (proxy === false) return false;
  if (proxy !== true) return (req as { secure?: boolean }).secure === true;
  const header = String(req.headers['x-forwarded-proto'] ?? '');
  return header.split(',')[0].trim().toLowerCase() === 'https';
}
