import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { PAYLOAD_SOCKET_OPTIONS, SESSION_MIDDLEWARE } from '../constants.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionRuntime } from '../session/session-middleware.js';
import { ScaleOut } from '../scale/scale-out.js';
import { limitHandshakes } from './handshake-limit.js';

/**
 * `app.useWebSocketAdapter(new SessionIoAdapter(app))`: the Socket.IO server runs the very express-session
 * middleware the module applies to HTTP, so a browser has one session whether it speaks HTTP or Socket.IO.
 * It runs on the handshake only (Socket.IO's express-session guide): later polling requests and the upgrade
 * belong to the same, already linked, connection.
 */
export class SessionIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  /**
   * Nest binds every gateway's message handlers to every socket, and for a gateway without any (the module's own)
   * still keeps a disconnect Observable per socket: memory for nothing.
   */
  override bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (args[1].length) super.bindMessageHandlers(...args);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const moduleOptions = this.app.get<ResolvedOptions>(PAYLOAD_SOCKET_OPTIONS, { strict: false });
    const session = this.app.get<SessionRuntime>(SESSION_MIDDLEWARE, { strict: false });
    const scale = this.app.get(ScaleOut, { strict: false });
    const cors = moduleOptions.cors ?? options?.cors;
    const limits = moduleOptions.limits ?? {};
    const server: Server = super.createIOServer(port, {
      ...options,
      ...(cors ? { cors, allowRequest: guardOrigin(cors as Cors, options?.allowRequest) } : {}),
      maxHttpBufferSize: limits.maxMessageBytes ?? 100_000,
      connectTimeout: limits.handshakeTimeoutMs ?? 10_000,
      ...(scale.adapter ? { adapter: scale.adapter } : {}),
      ...(moduleOptions.recovery
        ? { connectionStateRecovery: { maxDisconnectionDuration: moduleOptions.recovery.maxDisconnectionDuration, skipMiddlewares: false } }
        : {}),
    } as ServerOptions);
    // Refused handshakes of a flooding address cost no session (nor database) work: the limit comes first.
    const handshakeLimit = limitHandshakes(limits, { proxy: moduleOptions.session?.proxy });
    if (handshakeLimit) server.engine.use(handshakeLimit);
    server.engine.use(onlyOnHandshake(session.handshake as never));
    const path = `${server.path().replace(/\/$/, '')}/`;
    server.httpServer?.prependListener('upgrade', (req: IncomingMessage) => {
      if (req.url?.startsWith(path)) reserveSessionFields(req);
    });
    (server.engine as { payloadSocketSession?: boolean }).payloadSocketSession = true;
    return server;
  }
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

function onlyOnHandshake(middleware: Middleware): Middleware {
  return (req, res, next) => {
    const isHandshake = (req as { _query?: { sid?: string } })._query?.sid === undefined;
    if (isHandshake) middleware(req, res, next);
    else next();
  };
}

/**
 * Engine.IO deletes a property it put on a websocket handshake's request once the middlewares ran; had
 * express-session added its fields after that one, V8 would turn the request (kept for the socket's life) into a
 * dictionary object, 1.6 KB more per socket. Fields that exist before Engine.IO adds its own keep it compact.
 */
function reserveSessionFields(req: IncomingMessage): void {
  const fields = req as unknown as Record<string, unknown>;
  for (const field of ['sessionStore', 'sessionID', 'session', '_parsedUrl', '_parsedOriginalUrl']) {
    if (!(field in fields)) fields[field] = undefined;
  }
}

type StaticOrigin = boolean | string | RegExp | (boolean | string | RegExp)[];
type CustomOrigin = (origin: string | undefined, callback: (error: Error | null, allowed?: StaticOrigin) => void) => void;
type CorsOptions = { origin?: StaticOrigin | CustomOrigin };
type Cors = CorsOptions | ((req: IncomingMessage, callback: (error: Error | null, options?: CorsOptions) => void) => void);
type AllowRequest = NonNullable<ServerOptions['allowRequest']>;

/**
 * CORS headers only stop a browser from reading a polling response; the handshake itself (and any websocket,
 * which CORS does not cover) would still connect, with the browser's cookies. So a handshake whose `Origin` the
 * `cors` option does not allow is refused (403). Requests without `Origin` (servers, scripts) and pages of the
 * app's own host are let through, as Socket.IO does without `cors`.
 */
function guardOrigin(cors: Cors, next?: AllowRequest): AllowRequest {
  return (req, callback) => {
    const origin = req.headers.origin;
    const proceed = (allowed: boolean) => {
      if (!allowed) return callback('Origin not allowed', false);
      if (next) next(req, callback);
      else callback(null, true);
    };
    if (!origin || sameHost(origin, req.headers.host)) return proceed(true);
    const check = (options: CorsOptions | undefined) => {
      const rule = options?.origin;
      if (rule === undefined || rule === '*') return proceed(true); // the cors package's own default: any origin
      if (typeof rule !== 'function') return proceed(originMatches(origin, rule));
      rule(origin, (error, allowed) => proceed(!error && allowed !== undefined && originMatches(origin, allowed)));
    };
    if (typeof cors === 'function') cors(req, (error, options) => (error ? proceed(false) : check(options)));
    else check(cors);
  };
}

/** The cors package's rule: strings exactly, RegExps by test, `true` any, arrays any of them. */
function originMatches(origin: string, rule: StaticOrigin): boolean {
  if (Array.isArray(rule)) return rule.some((entry) => originMatches(origin, entry));
  if (typeof rule === 'string') return rule === origin;
  if (rule instanceof RegExp) return rule.test(origin);
  return rule === true;
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
