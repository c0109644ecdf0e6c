import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { handleEndpoints, headersWithCors, type Payload } from 'payload';
import { runInRequestContext } from './request-context.js';
import { ClientErrors, payloadOwnEndpoints, type ClientError } from './client-errors.js';
import { PayloadHttpError, sendFetchResponse, sendPayloadError, toFetchRequest } from './fetch-bridge.js';
import { createGraphQLHandler } from './payload-graphql.handler.js';

/**
 * Serves Payload's REST API and GraphQL from the Nest app's Express instance, under `routes.api`. It is mounted
 * ahead of Nest's body parsers so it reads bodies itself (its own size limit, uploads streamed untouched), and it
 * runs Payload inside the request context so hooks know the requester's session. Requests Payload would answer
 * 5xx although the client is at fault (see ClientErrors) are answered 4xx here, in Payload's error shape.
 */
export function createPayloadApiMiddleware(payload: Payload, payloadInstanceCacheKey: string, bodyLimit: number | string) {
  const { api, graphQL } = payload.config.routes;
  const graphQLPath = `${api}${graphQL}`;
  const handleGraphQL = createGraphQLHandler(payload, payloadInstanceCacheKey);
  const { logger } = payload;
  const checks = payloadOwnEndpoints().then((own) => new ClientErrors(payload, own));

  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    const path = req.originalUrl.split('?')[0];
    if (path !== api && !path.startsWith(`${api}/`)) return next();
    const sessionID = (req as { sessionID?: string }).sessionID;
    await runInRequestContext({ sessionID, values: new Map() }, async () => {
      const isGraphQL = path === graphQLPath && req.method === 'POST';
      try {
        const clientErrors = await checks;
        const { route, error } = isGraphQL ? {} : clientErrors.request(req);
        if (error) return sendClientError(payload, req, res, error);
        const inspectJson = isGraphQL || route?.payloadOwned;
        const request = await toFetchRequest(req, bodyLimit, (body) => {
          if (!inspectJson || !req.is('application/json')) return;
          const refused = clientErrors.jsonBody(body, { graphQL: isGraphQL });
          if (refused && 'message' in refused) throw new PayloadHttpError(refused.status, refused.message);
        });
        const response = isGraphQL
          ? await handleGraphQL(request)
          : await handleEndpoints({ config: payload.config, request, payloadInstanceCacheKey });
        await sendFetchResponse(response, res);
      } catch (error) {
        if (error instanceof PayloadHttpError) return sendPayloadError(res, error.status, error.message, corsHeaders(payload, req));
        // Payload's own verdict that the client is at fault (an APIError with a 4xx status, e.g. invalid JSON),
        // thrown where Payload's route error handling does not catch it (GraphQL's body parsing).
        const status = (error as { status?: unknown })?.status;
        if (typeof status === 'number' && status >= 400 && status < 500) {
          return sendPayloadError(res, status, (error as Error).message, corsHeaders(payload, req));
        }
        logger.error({ err: error, msg: `Payload API ${req.method} ${path} failed` });
        sendPayloadError(res, 500, 'Something went wrong.', corsHeaders(payload, req));
      }
    });
  };
}

function sendClientError(payload: Payload, req: ExpressRequest, res: ExpressResponse, error: ClientError): void {
  const headers = corsHeaders(payload, req);
  if ('routeNotFound' in error) {
    headers.forEach((value, name) => res.setHeader(name, value));
    res.status(404).json({ message: `Route not found "${error.routeNotFound}"` }); // Payload's own answer, word for word
    return;
  }
  for (const [name, value] of Object.entries(error.headers ?? {})) headers.set(name, value);
  sendPayloadError(res, error.status, error.message, headers);
}

/** The CORS headers Payload puts on its own answers, on the module's answers too. */
function corsHeaders(payload: Payload, req: ExpressRequest): Headers {
  const origin = req.headers.origin;
  return headersWithCors({ headers: new Headers(), req: { payload, headers: new Headers(origin ? { origin } : {}) } as never });
}
