import { buildConfig, getPayload, type Config, type Payload, type SanitizedConfig } from 'payload';
import { isPluginApplied, payloadSocketPlugin } from '../plugin/payload-socket.plugin.js';
import { guardAuthStrategies, guardDatabase } from './database-guard.js';

/**
 * Boots Payload once for the module, with the pitfalls of running it outside Next.js handled
 * (../shared/notes/payload3.md): no HMR socket, no type-generation child process, a cache key per module, the
 * dev schema pushed on every boot.
 */
export async function bootPayload(configInput: unknown, key: string, enabled = true): Promise<Payload> {
  process.env.DISABLE_PAYLOAD_HMR ??= 'true';
  // Drizzle's dev push remembers the last schema per process and skips an equal one, even on a fresh database
  // (a second app or test with the same config would find no tables). A fresh process always pushes anyway.
  process.env.PAYLOAD_FORCE_DRIZZLE_PUSH ??= 'true';
  const given = (await configInput) as Config | SanitizedConfig;
  const config = enabled ? await withPlugin(given) : isSanitized(given) ? given : await buildConfig(given);
  config.typescript = { ...config.typescript, autoGenerate: false };
  guardDatabase(config); // a lost database connection fails the request using it, never the process
  const payload = await getPayload({ config, key, cron: true });
  guardAuthStrategies(payload);
  return payload;
}

type PgPool = { ended?: boolean; end(): Promise<void>; on(event: string, fn: (error?: Error) => void): void; _clients?: { release?: () => void }[] };

/**
 * Closes Payload and its database connection, and removes the instance from Payload's global cache so a later
 * module with the same key boots afresh. `payload.destroy()` leaves the PostgreSQL pool open, with one client
 * still checked out: end the pool and release that client, or the process never exits.
 */
export async function shutdownPayload(payload: Payload, key: string): Promise<void> {
  const pool = (payload.db as unknown as { pool?: PgPool }).pool;
  await payload.destroy();
  (globalThis as { _payload?: Map<string, unknown> })._payload?.delete(key);
  if (!pool || pool.ended) return;
  pool.on('error', () => undefined);
  const ended = pool.end();
  for (const client of [...(pool._clients ?? [])]) {
    try {
      client.release?.();
    } catch {
      // already released
    }
  }
  await ended;
}

async function withPlugin(config: Config | SanitizedConfig): Promise<SanitizedConfig> {
  if (isPluginApplied(config)) return isSanitized(config) ? config : buildConfig(config);
  if (!isSanitized(config)) return buildConfig({ ...config, plugins: [...(config.plugins ?? []), payloadSocketPlugin()] });
  // Built without the plugin: its hooks can still be appended (sanitized hooks are arrays read at run time),
  // but collections cannot be added any more, so the SQLite session table is missing (the store says so).
  return (await payloadSocketPlugin()(config as unknown as Config)) as unknown as SanitizedConfig;
}

const isSanitized = (config: Config | SanitizedConfig): config is SanitizedConfig =>
  (config.collections ?? []).length > 0 && (config.collections ?? []).every((collection) => "flattenedFields" in collection);
