import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { runInRequestContext } from './request-context.js';

/**
 * Opens the request context for Nest's own routes, after the body parsers (they would lose it), so Local API
 * calls a controller makes are tied to the requester's session. Payload's API opens its own.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    runInRequestContext({ sessionID: (req as { sessionID?: string }).sessionID, values: new Map() }, next);
  }
}
