import { configToSchema } from '@payloadcms/graphql';
import { createHandler } from 'graphql-http/lib/use/fetch';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import {
  addDataAndFileToRequest,
  createPayloadRequest,
  headersWithCors,
  logError,
  mergeHeaders,
  type Payload,
} from 'payload';

/**
 * Payload's GraphQL endpoint without Next.js: the same request pipeline (auth, locale, data) as REST, executed by
 * graphql-http on a schema built once per instance (Next rebuilds it per request in development).
 */
export function createGraphQLHandler(payload: Payload, payloadInstanceCacheKey: string) {
  let graphQL: ReturnType<typeof configToSchema> | undefined;
  return async (request: Request): Promise<Response> => {
    if (payload.config.graphQL?.disable) return new Response(null, { status: 404 });
    graphQL ??= configToSchema(payload.config);
    const { schema, validationRules } = graphQL;
    const original = request.clone();
    const req = await createPayloadRequest({ canSetHeaders: true, config: payload.config, payloadInstanceCacheKey, request });
    await addDataAndFileToRequest(req);
    const headers: Record<string, string> = {};
    const handler = createHandler({
      schema,
      context: { headers, req },
      validationRules: (_req, args, defaultRules) => defaultRules.concat(validationRules(args)),
      onOperation: async (_req, _args, result) => {
        if (!('errors' in result) || !result.errors?.length) return result;
        return { ...result, errors: result.errors.map((error) => formatError(error as GraphQLError, payload)) as never };
      },
    });
    const response = await handler(original);
    const responseHeaders = headersWithCors({ headers: new Headers(response.headers), req });
    for (const [name, value] of Object.entries(headers)) responseHeaders.append(name, value);
    return new Response(response.body, {
      status: response.status,
      headers: req.responseHeaders ? mergeHeaders(req.responseHeaders, responseHeaders) : responseHeaders,
    });
  };
}

/** Payload's GraphQL error shape; internal errors keep their details only with `debug`. */
function formatError(error: GraphQLError, payload: Payload): GraphQLFormattedError {
  const original = error.originalError as { status?: number; name?: string; data?: unknown } | undefined;
  const status = original?.status ?? 500;
  logError({ err: error, payload });
  return {
    message: status === 500 && !payload.config.debug ? 'Something went wrong.' : error.message,
    locations: error.locations,
    path: error.path,
    extensions: { name: original?.name, data: original?.data, statusCode: status },
  };
}
