import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { handleEndpoints, type Payload } from 'payload';
import { runInRequestContext } from './request-context.js';
import { PayloadHttpError, sendFetchResponse, sendPayloadError, toFetchRequest } from './fetch-bridge.js';
import { createGraphQLHandler } from './payload-graphql.handler.js';

/**
 * Serves Payload's REST API and GraphQL from the Nest app's Express instance, under `routes.api`. It is mounted
 * ahead of Nest's body parsers so it reads bodies itself (its own size limit, uploads streamed untouched), and it
 * runs Payload inside the request context so hooks know the requester's session.
 */
export function createPayloadApiMiddleware(payload: Payload, payloadInstanceCacheKey: string, bodyLimit: number | string) {
  const { api, graphQL } = payload.config.routes;
  const graphQLPath = `${api}${graphQL}`;
  const handleGraphQL = createGraphQLHandler(payload, payloadInstanceCacheKey);
  const { logger } = payload;

  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    const path = req.originalUrl.split('?')[0];
    if (path !== api && !path.startsWith(`${api}/`)) return next();
    const sessionID = (req as { sessionID?: string }).sessionID;
    await runInRequestContext({ sessionID, values: new Map() }, async () => {
      try {
        const request = await toFetchRequest(req, bodyLimit);
        const response =
          path === graphQLPath && req.method === 'POST'
            ? await handleGraphQL(request)
            : await handleEndpoints({ config: payload.config, request, payloadInstanceCacheKey });
        await sendFetchResponse(response, res);
      } catch (error) {
        if (error instanceof PayloadHttpError) return sendPayloadError(res, error.status, error.message);
        logger.error({ err: error, msg: `Payload API ${req.method} ${path} failed` });
        sendPayloadError(res, 500, 'Something went wrong.');
      }
    });
  };
}
