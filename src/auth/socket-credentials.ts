import { parseCookie } from 'cookie';
import type { Payload } from 'payload';
import type { Socket } from 'socket.io';

/**
 * Turns a handshake into the headers Payload's auth strategies read, or `undefined` when it carries no
 * credential. Accepted: a JWT in `auth.token`, an API key in `auth.apiKey` (+ `auth.collection`), an
 * `Authorization` header (`JWT …`, `Bearer …`, `<collection> API-Key …`), or the `payload-token` cookie when the
 * handshake's Origin may use it. Payload's own cookie check accepts any Origin while `csrf` is empty, so the
 * cookie is vetted here and handed on as a token.
 */
export function credentialHeaders(socket: Socket, payload: Payload, cookieOrigins: ReadonlySet<string>): Headers | undefined {
  const headers = new Headers({ DisableAutologin: 'true' }); // never log token-less sockets in as admin.autoLogin's user
  const auth = (socket.handshake.auth ?? {}) as { token?: unknown; apiKey?: unknown; collection?: unknown };
  if (typeof auth.token === 'string' && auth.token) {
    headers.set('Authorization', `JWT ${auth.token}`);
    return headers;
  }
  if (typeof auth.apiKey === 'string' && typeof auth.collection === 'string') {
    headers.set('Authorization', `${auth.collection} API-Key ${auth.apiKey}`);
    return headers;
  }
  const authorization = socket.handshake.headers.authorization;
  if (typeof authorization === 'string' && authorization) {
    headers.set('Authorization', authorization);
    return headers;
  }
  const token = cookieToken(socket, payload);
  if (token && cookieAllowed(socket, cookieOrigins)) {
    headers.set('Authorization', `JWT ${token}`);
    return headers;
  }
  return undefined;
}

/** Why the handshake's `payload-token` cookie was not used, if it carried one: said in the `connect_error`. */
export function cookieRefusal(socket: Socket, payload: Payload, cookieOrigins: ReadonlySet<string>): string | undefined {
  if (!cookieToken(socket, payload) || cookieAllowed(socket, cookieOrigins)) return undefined;
  return `The payload-token cookie is not accepted from origin ${JSON.stringify(socket.handshake.headers.origin)} (see auth.cookieOrigins).`;
}

function cookieToken(socket: Socket, payload: Payload): string | undefined {
  const cookieHeader = socket.handshake.headers.cookie;
  if (!cookieHeader) return undefined;
  return parseCookie(cookieHeader)[`${payload.config.cookiePrefix}-token`] || undefined;
}

/** No Origin (not a browser: nothing to forge), the page's own origin, or an allowed one. */
function cookieAllowed(socket: Socket, cookieOrigins: ReadonlySet<string>): boolean {
  const origin = socket.handshake.headers.origin;
  if (!origin) return true;
  if (cookieOrigins.has(origin)) return true;
  try {
    return new URL(origin).host === socket.handshake.headers.host;
  } catch {
    return false;
  }
}

/** Expiry and Payload session of a verified JWT (its claims; the signature was checked by Payload). */
export function tokenClaims(headers: Headers): { exp?: number; sid?: string } {
  const match = /^(?:JWT|Bearer) (.+)$/.exec(headers.get('Authorization') ?? '');
  if (!match) return {};
  try {
    const claims = JSON.parse(Buffer.from(match[1].split('.')[1] ?? '', 'base64url').toString('utf8'));
    return { exp: typeof claims.exp === 'number' ? claims.exp : undefined, sid: typeof claims.sid === 'string' ? claims.sid : undefined };
  } catch {
    return {};
  }
}
