import { importOptional } from '../optional-import.js';
import type { RedisScaleOptions } from '../options.js';
import { StallWatch } from './stall-watch.js';
import { throttle } from '../throttle.js';

/**
 * A node-redis v5 client (`createClient()`'s), as the module uses it. Declared here, not imported from `redis`, so
 * that the package's declarations compile for consumers who do not install the optional `redis` package; commands
 * not listed are loosely typed.
 */
export interface Redis {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  duplicate(): Redis;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  ping(): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: Record<string, unknown>): Promise<string | null>;
  expire(key: string, seconds: number): Promise<number>;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  eval(script: string, options?: { keys?: string[]; arguments?: string[] }): Promise<unknown>;
  [command: string]: any;
}

export interface RedisClients {
  /** Commands and the adapter's streams. */
  main: Redis;
  /** Subscriptions (a subscribed connection can run nothing else); absent in publishing mode. */
  subscriber?: Redis;
  keyPrefix: string;
  /** False while Redis is unreachable or stalled: emits then go to this instance's sockets instead of queueing. */
  readonly healthy: boolean;
  /** Calls `listener` whenever the main connection is lost or found stalled (commands sent before may never be answered). */
  onUnhealthy(listener: () => void): void;
  close(): Promise<void>;
}

/** How long a start waits for Redis before going on without it. */
const CONNECT_WAIT_MS = 3_000;
/** How long a shutdown waits for replies to commands already sent. */
const CLOSE_WAIT_MS = 2_000;

/** Where the Redis connections report: errors and outages, and their end. */
export interface RedisLog {
  error(message: string): void;
  info(message: string): void;
}

export const normalizeRedisOptions = (redis: string | RedisScaleOptions): RedisScaleOptions =>
  typeof redis === 'string' ? { url: redis } : redis;

/**
 * Opens the module's Redis connections with node-redis defaults (offline queue on, reconnect with backoff:
 * the streams adapter's read loop spins on a client whose commands fail at once). Errors while Redis is down
 * are reported once per interval, not once per retry. An unreachable Redis does not hold the start: after a short
 * wait the app goes on (emits stay on this instance) while node-redis keeps connecting in the background; a bad URL
 * still fails the start. A Redis that stops answering without closing the connection is noticed by a StallWatch.
 */
export async function openRedis(options: RedisScaleOptions, log: RedisLog, { subscribe = true } = {}): Promise<RedisClients> {
  const given = options.client as Redis | undefined;
  if (!given && !options.url) throw new Error('PayloadSocketModule: `redis` needs a `url` or a `client`.');
  const main = given ?? ((await importOptional('redis', 'the `redis` option (scale-out)', () => import('redis'))).createClient({ url: options.url }) as unknown as Redis);
  const subscriber = subscribe ? (main.duplicate() as Redis) : undefined;
  const throttled = throttle((message) => log.error(message), 30_000);
  for (const client of [main, subscriber]) client?.on('error', (error: Error) => throttled(`Redis: ${error.message}`));
  const connecting = Promise.all([main.isOpen ? undefined : main.connect(), subscriber?.connect()]);
  connecting.catch(() => undefined); // a late failure (closed while still connecting) is nobody's to handle
  let timer: NodeJS.Timeout | undefined;
  const connected = await Promise.race([
    connecting.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CONNECT_WAIT_MS))),
  ]).finally(() => clearTimeout(timer));
  if (!connected) log.error(`Redis: not reachable yet; starting without it (emits stay on this instance until it answers)`);
  const unhealthy = new Set<() => void>();
  const lost = () => {
    for (const listener of unhealthy) listener();
  };
  for (const event of ['error', 'end', 'reconnecting']) main.on(event, lost);
  const watch = new StallWatch(main, log, lost);
  return {
    main,
    subscriber,
    keyPrefix: options.keyPrefix ?? 'nps',
    get healthy() {
      return main.isReady && !watch.stalled;
    },
    onUnhealthy(listener) {
      unhealthy.add(listener);
    },
    async close() {
      watch.stop();
      if (subscriber) await closeClient(subscriber);
      if (!given) await closeClient(main);
    },
  };
}

/**
 * Closes: stops reconnecting and, while Redis answers, waits (at most CLOSE_WAIT_MS) for replies to commands already
 * sent. A dead Redis never sends them, so then it does not wait. Never `destroy()`: that rejects commands the
 * Socket.IO adapter queued without handling their rejection (the SET of a session), which would end the process.
 */
export async function closeClient(client: Redis): Promise<void> {
  if (!client.isOpen) return;
  const answering = client.isReady;
  const closed = client.close().catch(() => undefined);
  if (!answering) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
  clearTimeout(timer);
}
