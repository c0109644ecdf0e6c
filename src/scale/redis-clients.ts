import { createClient, type RedisClientType } from 'redis';
import type { RedisScaleOptions } from '../options.js';

export type Redis = RedisClientType;

export interface RedisClients {
  /** Commands and the adapter's streams. */
  main: Redis;
  /** Subscriptions (a subscribed connection can run nothing else); absent in publishing mode. */
  subscriber?: Redis;
  keyPrefix: string;
  close(): Promise<void>;
}

export const normalizeRedisOptions = (redis: string | RedisScaleOptions): RedisScaleOptions =>
  typeof redis === 'string' ? { url: redis } : redis;

/**
 * Opens the module's Redis connections with node-redis defaults (offline queue on, reconnect with backoff:
 * the streams adapter's read loop spins on a client whose commands fail at once). Errors while Redis is down
 * are reported once per interval, not once per retry.
 */
export async function openRedis(options: RedisScaleOptions, report: (message: string) => void, { subscribe = true } = {}): Promise<RedisClients> {
  const given = options.client as Redis | undefined;
  if (!given && !options.url) throw new Error('PayloadSocketModule: `redis` needs a `url` or a `client`.');
  const main = given ?? (createClient({ url: options.url }) as Redis);
  const subscriber = subscribe ? (main.duplicate() as Redis) : undefined;
  const throttled = throttle(report, 30_000);
  for (const client of [main, subscriber]) client?.on('error', (error: Error) => throttled(`Redis: ${error.message}`));
  if (!main.isOpen) await main.connect();
  await subscriber?.connect();
  return {
    main,
    subscriber,
    keyPrefix: options.keyPrefix ?? 'nps',
    async close() {
      await subscriber?.close().catch(() => undefined);
      if (!given) await main.close().catch(() => undefined);
    },
  };
}

function throttle(fn: (message: string) => void, intervalMs: number): (message: string) => void {
  let last = 0;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    fn(suppressed ? `${message} (${suppressed} similar errors suppressed)` : message);
    last = now;
    suppressed = 0;
  };
}
