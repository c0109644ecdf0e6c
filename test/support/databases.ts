import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './postgres.js';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

/** A fresh database of each kind the suites run on: a SQLite file in a temp folder, a throwaway PostgreSQL db. */
export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;

export async function freshDatabase(kind: TestDatabase['kind']): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    return { kind, url: db.url, drop: db.drop };
  }
  const folder = mkdtempSync(join(tmpdir(), 'nps-sqlite-'));
  return { kind, url: `file:${join(folder, 'test.db')}`, drop: async () => rmSync(folder, { recursive: true, force: true }) };
}

/** Open connections to a PostgreSQL database (to prove `app.close()` released Payload's pool). */
export async function postgresConnections(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = $2", [name, 'client backend']);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}
