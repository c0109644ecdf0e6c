import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express } from 'express';
import type { Payload } from 'payload';
import { take } from 'rxjs';
import { PAYLOAD_INSTANCE, PAYLOAD_SOCKET_OPTIONS, SESSION_MIDDLEWARE } from '../constants.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionRuntime } from '../session/session-middleware.js';
import { createPayloadApiMiddleware } from './payload-api.middleware.js';

/**
 * Payload's errors with a 4xx status: the client's mistake (a wrong password, a bad query), not the server's. Payload
 * logs an error whose name `loggingLevels` does not list at `error`, with its stack; these get one `info` line with
 * the message, as Payload already does for Forbidden, NotFound and ValidationError. A config's own levels win.
 */
const CLIENT_ERRORS = ['AuthenticationError', 'FileUploadError', 'Forbidden', 'Locked', 'LockedAuth', 'MissingFile', 'NotFound', 'QueryError', 'UnauthorizedError', 'UnverifiedEmail', 'ValidationError'];

/**
 * Mounts the session and Payload's API on the Express instance as soon as Nest has one (`init$`), which is
 * before Nest registers its body parsers: the API reads its own bodies, and every route sees the session.
 */
@Injectable()
export class HttpBridge {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(PAYLOAD_SOCKET_OPTIONS) options: ResolvedOptions,
    @Inject(PAYLOAD_INSTANCE) payload: Payload,
    @Inject(SESSION_MIDDLEWARE) session: SessionRuntime,
  ) {
    const levels = (payload.config.loggingLevels ??= {} as never) as Record<string, unknown>;
    for (const name of CLIENT_ERRORS) levels[name] ??= 'info';
    adapterHost.init$.pipe(take(1)).subscribe(() => {
      const app = adapterHost.httpAdapter?.getInstance<Express>();
      if (!app || typeof app.use !== 'function') {
        throw new Error('PayloadSocketModule needs the Express platform (@nestjs/platform-express).');
      }
      const api = payload.config.routes.api;
      let lastReport = 0;
      app.use((req, res, next) => {
        const isApi = req.path === api || req.path.startsWith(`${api}/`);
        // A store that cannot answer (its database is down) costs the request its session, not the request.
        return (isApi ? session.idOnly : session.middleware)(req, res, (error?: unknown) => {
          if (!error) return next();
          if (Date.now() - lastReport > 30_000) {
            lastReport = Date.now();
            payload.logger.error({ err: error, msg: 'Session store unavailable: requests continue without a session' });
          }
          next();
        });
      });
      app.use(createPayloadApiMiddleware(payload, options.payloadKey!, options.bodyLimit!));
    });
  }
}
