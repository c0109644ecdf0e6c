/**
 * Throwaway PostgreSQL databases for tests.
 *
 * Admin connection: `PG_ADMIN_URL`, a role that may create databases (CREATEDB), not a superuser. `npm test` sets
 * it (test/support/global-setup.ts): to a throwaway cluster it starts for the run, unless `PG_ADMIN_URL` was given,
 * e.g. `PG_ADMIN_URL=postgres://nps_test:nps_test@127.0.0.1:5432/postgres npm test` for a server of your own with
 *
 *   CREATE ROLE nps_test LOGIN CREATEDB PASSWORD 'nps_test';
 *
 * Tests must fail (not skip) when the server is missing: `createTestDatabase` throws a clear error.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function pgAdminUrl(): string {
  const url = process.env.PG_ADMIN_URL;
  if (!url) throw new Error('PG_ADMIN_URL is not set: run the tests with npm test (its globalSetup provides PostgreSQL), or set it to a CREATEDB role.');
  return url;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is required for these tests but does not answer at ${redact(pgAdminUrl())} ` +
        `(${(err as Error).message}). npm test starts its own cluster when PG_ADMIN_URL is unset; ` +
        'a PG_ADMIN_URL you set must name a running server and a role with CREATEDB (see test/support/postgres.ts).',
      { cause: err },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when the admin connection works. */
export async function postgresAvailable(): Promise<boolean> {
  try {
    await withAdmin((c) => c.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/** Throws the clear error when PostgreSQL is not there (for a `beforeAll`). */
export async function requirePostgres(): Promise<void> {
  await withAdmin((c) => c.query('SELECT 1'));
}

export interface TestDatabase {
  /** Connection URL of the new database (same credentials as the admin URL). */
  url: string;
  name: string;
  /** Terminates every connection to it and drops it. Safe to call twice. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `nps_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(pgAdminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE cannot end a backend of another role (an autovacuum worker may be visiting): retry briefly, then
      // leave the throwaway database behind with a warning rather than fail the suite that used it.
      await withAdmin(async (c) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
              [name],
            );
            await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
            return;
          } catch (error) {
            if (attempt >= 10) {
              console.warn(`Could not drop test database ${name}: ${(error as Error).message}`);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
        }
      });
    },
  };
}
