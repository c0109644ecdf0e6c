import type { PayloadRequest } from 'payload';
import type { Socket } from 'socket.io';
import { SOCKET_CONTEXT_KEY } from '../constants.js';
import { getRequestContext } from '../http/request-context.js';

/** Who asked for an operation, as far as `self` is concerned. */
export interface Origin {
  sessionID?: string;
  socketId?: string;
}

/**
 * A Local API call can name who it acts for through its `context`; otherwise the HTTP request being handled
 * (REST, GraphQL, or a Nest controller calling the Local API) is the origin. Nothing found → no `self` emit.
 */
export function originOf(req: PayloadRequest): Origin {
  const named = req.context?.[SOCKET_CONTEXT_KEY] as Origin | undefined;
  if (named && (typeof named.sessionID === 'string' || typeof named.socketId === 'string')) {
    return { sessionID: named.sessionID, socketId: named.socketId };
  }
  return { sessionID: getRequestContext()?.sessionID };
}

/**
 * The `context` for a Local API call made on behalf of a socket, e.g. in a `@SubscribeMessage` handler:
 * `payload.create({ collection, data, context: actingFor(socket) })` — `self` then reaches every tab of its session.
 */
export function actingFor(socket: Socket): Record<string, Origin> {
  const sessionID = (socket.request as { sessionID?: string }).sessionID;
  return { [SOCKET_CONTEXT_KEY]: sessionID ? { sessionID } : { socketId: socket.id } };
}
