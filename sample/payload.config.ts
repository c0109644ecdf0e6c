import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { postgresAdapter } from '@payloadcms/db-postgres';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import { buildConfig, type DatabaseAdapterObj } from 'payload';
import { payloadSocketPlugin } from '../src/index.js';
import { Notes } from './collections/notes.js';
import { Posts } from './collections/posts.js';
import { Users } from './collections/users.js';

export interface SampleSettings {
  databaseUrl: string;
  secret: string;
  /** Origins allowed to send the `payload-token` cookie (sockets and cross-origin pages). */
  allowedOrigins?: string[];
}

/** `file:` → SQLite (folder created on first start), `postgres://` → PostgreSQL. */
export function databaseAdapter(databaseUrl: string): DatabaseAdapterObj {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return postgresAdapter({ pool: { connectionString: databaseUrl } });
  }
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(`DATABASE_URL must be a file: (SQLite) or postgres:// URL, got "${databaseUrl}".`);
  }
  const file = resolve(databaseUrl.slice('file:'.length));
  mkdirSync(dirname(file), { recursive: true }); // libsql does not create the folder
  return sqliteAdapter({ client: { url: `file:${file}` } });
}

export const sampleConfig = ({ databaseUrl, secret, allowedOrigins = [] }: SampleSettings) =>
  buildConfig({
    secret,
    db: databaseAdapter(databaseUrl),
    admin: { user: 'users' },
    collections: [Users, Posts, Notes],
    csrf: allowedOrigins,
    cors: allowedOrigins,
    typescript: { autoGenerate: false },
    telemetry: false,
    plugins: [payloadSocketPlugin()],
  });
