import { buildConfig, type CollectionConfig } from 'payload';
import { databaseAdapter } from '../../sample/payload.config.js';
import { payloadSocketPlugin } from '../../src/index.js';
import { testPosts, testUsers } from './collections.js';

/** A Payload config for the suites: users + posts (or the given collections) on one database URL, with the plugin. */
export function testConfig(databaseUrl: string, secret: string, collections: CollectionConfig[] = [testUsers, testPosts]) {
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
