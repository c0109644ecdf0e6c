import { testConfig } from '../support/config.js';

export { testConfig as foundationConfig };

/** The express-session id inside a `connect.sid` cookie value (`s%3A<sid>.<signature>`). */
export function sessionIdOfCookie(cookie: string | undefined): string {
  const match = /^s%3A([^.]+)\./.exec(cookie ?? '');
  if (!match) throw new Error(`not a signed express-session cookie: ${cookie}`);
  return match[1];
}
