import type { IncomingMessage } from 'node:http';
import type { Config, SanitizedConfig } from 'payload';
import type { Server, ServerOptions, Socket } from 'socket.io';

export type OnConnectHandler = (socket: Socket, io: Server) => void | Promise<void>;

/** Options of `PayloadSocketModule.forRoot`. Later features add keys here; keep it one object. */
export interface PayloadSocketOptions {
  /** The Payload config (`buildConfig(...)`'s promise or a plain config). Required. */
  config: Config | SanitizedConfig | Promise<SanitizedConfig>;
  /** The seed's switch: `false` boots Payload and serves its API, but runs no gateway and no emit hooks. */
  enabled?: boolean;
  /** Log every emit (event name, recipient count) and every connect/disconnect. */
  dev?: boolean;
  /** The seed's `onConnect` functions, called for every new socket after `@OnConnect` methods' peers. */
  onConnect?: OnConnectHandler[];
  /** express-session options; `secret` defaults to Payload's secret, `store` to one in Payload's database. */
  session?: SessionOptions;
  /** Socket.IO cors options (`credentials: true` for clients on another origin). */
  cors?: ServerOptions['cors'];
  /** Socket.IO namespace of the module's gateway. */
  namespace?: string;
  /** Event name of an emit; default `${target}.${slug}.${operation}`. */
  eventName?: (target: string, slug: string, operation: string) => string;
  /** Largest JSON or urlencoded body Payload's API accepts (bytes or a string like '2mb'); larger → 413. */
  bodyLimit?: number | string;
  /** `getPayload` cache key; a unique one is made per module when omitted. */
  payloadKey?: string;
  /** How sockets become Payload users (see README "Security"). */
  auth?: SocketAuthOptions;
  /** Protections against hostile or broken clients. */
  limits?: SocketLimits;
  /**
   * Scale-out on Redis (a URL, a node-redis client, or details): the Socket.IO Redis Streams adapter (it supports
   * missed-event recovery), or the classic pub/sub adapter with `adapter: 'pubsub'`.
   */
  redis?: string | RedisScaleOptions;
  /** Any Socket.IO adapter instead (e.g. the Postgres or MongoDB adapter): `createAdapter(...)`'s result. */
  adapter?: unknown;
  /** Missed-event recovery: a client that drops for less than this gets what it missed, in order, on reconnect. */
  recovery?: { maxDisconnectionDuration: number };
}

/**
 * The express-session options the module passes on (typed here, so that a consumer's compiler needs no
 * @types/express-session), plus the module's own `ttlSeconds` and `pruneIntervalSeconds`.
 */
export interface SessionOptions {
  /** Lifetime of a session (cookie and store), in seconds. Default 7 days. */
  ttlSeconds?: number;
  /** How often the default store deletes expired sessions, in seconds (0: never). Default 900. */
  pruneIntervalSeconds?: number;
  /** Signs the cookie; the first signs, all verify. Default: Payload's secret. */
  secret?: string | string[];
  /** Cookie name. Default `connect.sid`. */
  name?: string;
  /** Any express-session store (connect-redis, connect-mongo, ...). Default: one in Payload's database. */
  store?: SessionStore;
  /** Cookie attributes, over the defaults `httpOnly`, `sameSite: 'lax'`, `secure: 'auto'`, `maxAge` = ttlSeconds. */
  cookie?: SessionCookieOptions;
  /** Trust the reverse proxy's `X-Forwarded-Proto` for `secure` cookies (the Socket.IO handshake needs it). */
  proxy?: boolean;
  /** Re-send the cookie on every response. Default false. */
  rolling?: boolean;
  /** Save unmodified sessions back to the store. Default false. */
  resave?: boolean;
  /** Store new, unmodified sessions (and set their cookie). Default true: the first response links later ones. */
  saveUninitialized?: boolean;
  /** Makes new session ids. Default: express-session's (24 random bytes). */
  genid?: (req: IncomingMessage) => string;
  /** What happens to a session whose `req.session` is deleted. Default `keep`. */
  unset?: 'destroy' | 'keep';
}

/** express-session's cookie options. */
export interface SessionCookieOptions {
  maxAge?: number;
  expires?: Date;
  httpOnly?: boolean;
  path?: string;
  domain?: string;
  secure?: boolean | 'auto';
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
  signed?: boolean;
}

/** What the module needs of an express-session store (every `express-session` `Store` is one). */
export interface SessionStore {
  get(sid: string, callback: (error: any, session?: any) => void): void;
  set(sid: string, session: any, callback?: (error?: any) => void): void;
  destroy(sid: string, callback?: (error?: any) => void): void;
  touch?(sid: string, session: any, callback?: (error?: any) => void): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

export interface RedisScaleOptions {
  url?: string;
  /** A node-redis v5 client of your own (the module duplicates it for its subscriber; you close it). */
  client?: unknown;
  /** `streams` (default: supports recovery) or `pubsub` (the classic adapter). */
  adapter?: 'streams' | 'pubsub';
  /** Prefix of every Redis key and channel the module uses (default `nps`): one per app on a shared Redis. */
  keyPrefix?: string;
}

export interface SocketAuthOptions {
  /** Refuse handshakes without a valid credential (`connect_error`: "Authentication required"). Default false. */
  required?: boolean;
  /**
   * How often (seconds) connected users are re-read: a logged-out session, an expired token, a deleted user or a
   * changed role takes effect within this bound. Default 30.
   */
  recheckSeconds?: number;
  /** Origins allowed to authenticate a socket with the `payload-token` cookie, besides the page's own origin,
   * Payload's `csrf` list and the `cors` origins. */
  cookieOrigins?: string[];
}

export interface SocketLimits {
  /** Largest message a client may send, in bytes (Socket.IO `maxHttpBufferSize`). Default 100 KB. */
  maxMessageBytes?: number;
  /** Sustained events per second a socket may send; the rest are dropped with an `error` event. Default 20. */
  eventsPerSecond?: number;
  /** Events a socket may send in a burst above the sustained rate. Default 40. */
  burst?: number;
  /** Most sockets one session may have open on one instance. Default unlimited. */
  connectionsPerSession?: number;
  /** Most sockets one user may have open on one instance. Default unlimited. */
  connectionsPerUser?: number;
  /** Time (ms) a client has to join the namespace after the transport handshake. Default 10 s. */
  handshakeTimeoutMs?: number;
  /**
   * Deepest nesting of arrays and objects an inbound event's arguments may have (`[]` is one level). Deeper
   * events are refused before any listener runs (an ack gets `{ error }`, otherwise an `error` event is sent), so
   * recursive code in listeners (`String(value)`, deep copies) cannot overflow the stack on them. Default 32; 0: off.
   */
  maxDepth?: number;
  /**
   * Socket.IO handshakes (new connections) one client address may open per minute, sustained; past it (and past
   * `handshakeBurst`) the handshake is refused with HTTP 429 before any session or database work. Already open
   * connections are not affected. Default 60; 0: off. The host's own address (127.0.0.1, ::1) is not limited.
   */
  handshakesPerMinute?: number;
  /** Handshakes one address may open at once above the sustained rate. Default 30. */
  handshakeBurst?: number;
  /**
   * The client address a handshake is counted for. Default: the connection's remote address (IPv6 by its /64
   * prefix), or with `session.proxy: true` the address the proxy saw (the last `X-Forwarded-For` entry). Return
   * `undefined` for a handshake that is not limited.
   */
  handshakeKey?: (req: IncomingMessage) => string | undefined;
}

export const defaultEventName = (target: string, slug: string, operation: string): string =>
  `${target}.${slug}.${operation}`;

export type ResolvedOptions = Required<Pick<PayloadSocketOptions, 'enabled' | 'dev' | 'namespace' | 'eventName'>> &
  PayloadSocketOptions;

let moduleCount = 0;

export function resolveOptions(options: PayloadSocketOptions): ResolvedOptions {
  if (!options || !options.config) {
    throw new Error('PayloadSocketModule: `config` (your Payload config) is required.');
  }
  return {
    ...options,
    enabled: options.enabled ?? true,
    dev: options.dev ?? false,
    namespace: options.namespace ?? '/',
    eventName: options.eventName ?? defaultEventName,
    bodyLimit: options.bodyLimit ?? '2mb',
    payloadKey: options.payloadKey ?? `nest-payload-socket:${++moduleCount}`,
  };
}
