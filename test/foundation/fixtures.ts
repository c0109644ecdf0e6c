import { buildConfig, type CollectionConfig } from 'payload';
import { databaseAdapter } from '../../sample/payload.config.js';
import { payloadSocketPlugin } from '../../src/index.js';
import { testPosts, testUsers } from '../support/collections.js';

/** A Payload config for the foundation suites: users + posts (or the given collections) on one database URL. */
export function foundationConfig(databaseUrl: string, secret: string, collections: CollectionConfig[] = [testUsers, testPosts]) {
  return buildConfig({
    secret,
    db: databaseAdapter(databaseUrl),
    collections,
    typescript: { autoGenerate: false },
    telemetry: false,
    logger: { options: { level: 'warn' } },
    plugins: [payloadSocketPlugin()],
  });
}

/** The express-session id inside a `connect.sid` cookie value (`s%3A<sid>.<signature>`). */
export function sessionIdOfCookie(cookie: string | undefined): string {
  const match = /^s%3A([^.]+)\./.exec(cookie ?? '');
  if (!match) throw new Error(`not a signed express-session cookie: ${cookie}`);
  return match[1];
}
