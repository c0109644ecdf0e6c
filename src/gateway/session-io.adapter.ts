import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { PAYLOAD_SOCKET_OPTIONS, SESSION_MIDDLEWARE } from '../constants.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionRuntime } from '../session/session-middleware.js';

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

  override createIOServer(port: number, options?: ServerOptions): Server {
    const moduleOptions = this.app.get<ResolvedOptions>(PAYLOAD_SOCKET_OPTIONS, { strict: false });
    const session = this.app.get<SessionRuntime>(SESSION_MIDDLEWARE, { strict: false });
    const limits = moduleOptions.limits ?? {};
    const server: Server = super.createIOServer(port, {
      ...options,
      ...(moduleOptions.cors ? { cors: moduleOptions.cors } : {}),
      maxHttpBufferSize: limits.maxMessageBytes ?? 100_000,
      connectTimeout: limits.handshakeTimeoutMs ?? 10_000,
    } as ServerOptions);
    server.engine.use(onlyOnHandshake(session.middleware as never));
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
