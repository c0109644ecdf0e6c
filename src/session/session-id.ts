import { parseCookie } from 'cookie';
import { unsign } from 'cookie-signature';
import type { RequestHandler } from 'express';

/**
 * For Payload's API, the session matters only as an id (who is `self`); Payload never reads `req.session`. A request
 * carrying a validly signed session cookie gets that id without the store read express-session would make on every
 * call; any other request (no cookie, a forged one) goes through the full middleware, which creates a session.
 */
export function sessionIdOnly(middleware: RequestHandler, cookieName: string, secrets: string[]): RequestHandler {
  return (req, res, next) => {
    const id = signedSessionId(req.headers.cookie, cookieName, secrets);
    if (!id) return middleware(req, res, next);
    (req as { sessionID?: string }).sessionID = id;
    next();
  };
}

function signedSessionId(cookieHeader: string | undefined, cookieName: string, secrets: string[]): string | undefined {
  const value = cookieHeader ? parseCookie(cookieHeader)[cookieName] : undefined;
  if (!value?.startsWith('s:')) return undefined;
  for (const secret of secrets) {
    const id = unsign(value.slice(2), secret);
    if (id) return id;
  }
  return undefined;
}
