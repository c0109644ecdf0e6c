import { Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { importOptional } from '../optional-import.js';
import type { ResolvedOptions } from '../options.js';
import type { Namespace, Socket } from 'socket.io';
import { ClusterBus } from './cluster-bus.js';
import { orderLocalDelivery, type ClusterAdapterLike } from './ordered-delivery.js';
import { closeRecoveryGap, RecoverySessions, streamReader } from './recovery-sessions.js';
import { closeClient, normalizeRedisOptions, openRedis, type Redis, type RedisClients } from './redis-clients.js';

/**
 * Many instances as one: the Socket.IO adapter that carries broadcasts between them (Redis Streams by default,
 * since only it supports recovery; the classic pub/sub one on request; or any adapter given), and the bus for
 * what the adapter cannot carry (access-aware deliveries, operations of processes without a socket server).
 */
export class ScaleOut implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('PayloadSocket');
  private redis?: RedisClients;
  private extraClient?: Redis;
  bus?: ClusterBus;
  adapter?: unknown;
  /** Set when the streams adapter (the one with recovery) is in use. */
  private sessionKeyPrefix?: string;
  private recoverySessions?: RecoverySessions;

  private constructor(private readonly options: ResolvedOptions) {}

  static async create(options: ResolvedOptions): Promise<ScaleOut> {
    const scale = new ScaleOut(options);
    await scale.start();
    return scale;
  }

  private async start(): Promise<void> {
    this.adapter = this.options.adapter;
    if (!this.options.redis) return;
    const settings = normalizeRedisOptions(this.options.redis);
    // Optional packages first: a missing one fails the start before any connection is opened.
    const adapters = this.adapter
      ? undefined
      : settings.adapter === 'pubsub'
        ? { pubsub: await importOptional('@socket.io/redis-adapter', "the `redis` option with `adapter: 'pubsub'`", () => import('@socket.io/redis-adapter')) }
        : { streams: await importOptional('@socket.io/redis-streams-adapter', 'the `redis` option (scale-out)', () => import('@socket.io/redis-streams-adapter')) };
    this.redis = await openRedis(settings, { error: (message) => this.logger.error(message), info: (message) => this.logger.log(message) });
    this.bus = new ClusterBus(this.redis);
    if (!adapters) return; // an adapter of the user's own carries the broadcasts
    const prefix = this.redis.keyPrefix;
    if (adapters.pubsub) {
      this.extraClient = this.redis.main.duplicate() as Redis;
      this.extraClient.on('error', () => undefined); // reported through the main client
      const connecting = this.extraClient.connect();
      connecting.catch(() => undefined);
      if (this.redis.main.isReady) await connecting; // else it connects when Redis answers; the start goes on
      this.adapter = adapters.pubsub.createAdapter(this.redis.main, this.extraClient, { key: `${prefix}:socket.io` });
    } else {
      // channelPrefix too: the adapter's requests (fetchSockets, serverSideEmit, acks) go over pub/sub channels that
      // would otherwise be shared with every app on the same Redis.
      this.sessionKeyPrefix = `${prefix}:session:`;
      const factory = adapters.streams!.createAdapter(this.redis.main, {
        streamName: `${prefix}:stream`,
        sessionKeyPrefix: this.sessionKeyPrefix,
        channelPrefix: `${prefix}:socket.io`,
      });
      // Local delivery in emit order, whatever Redis does (the adapter's own lets local-only emits overtake).
      const redis = this.redis;
      const logger = this.logger;
      // A function, not an arrow: Socket.IO calls `new adapter(nsp)` (an object returned from a constructor wins).
      this.adapter = function orderedStreamsAdapter(nsp: Namespace) {
        const adapter = factory(nsp);
        orderLocalDelivery(adapter as unknown as ClusterAdapterLike, redis, (message) => logger.error(message));
        return adapter;
      };
    }
  }

  /** False while Redis is down: emits then go to this instance's sockets at once instead of waiting for it. */
  get healthy(): boolean {
    return this.bus?.healthy ?? true;
  }

  /**
   * With recovery on: broadcasts made while a socket is being recovered reach it (see closeRecoveryGap; call the
   * returned function when a recovered socket connects); on the streams
   * adapter, each socket of `nsp` is also kept recoverable in Redis while it is connected, so that it is recovered
   * on another instance even if this one dies (Socket.IO alone stores a session only when the server sees the
   * disconnect).
   */
  keepRecoverable(nsp: Namespace): (socket: Socket) => void {
    const recovery = (nsp.server as unknown as { opts: { connectionStateRecovery?: { maxDisconnectionDuration?: number } } }).opts.connectionStateRecovery;
    if (!recovery) return () => undefined;
    const streams = this.redis && this.sessionKeyPrefix ? { redis: this.redis, stream: `${this.redis.keyPrefix}:stream` } : undefined;
    const connected = closeRecoveryGap(nsp, streams && streamReader(streams.redis, streams.stream, nsp));
    if (streams && !this.recoverySessions) {
      this.recoverySessions = new RecoverySessions(nsp, streams.redis, this.sessionKeyPrefix!, recovery.maxDisconnectionDuration ?? 2 * 60_000);
    }
    return connected;
  }

  /** Before anything closes: the publishing processes this instance speaks for go to another one at once. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.bus?.release();
  }

  async onApplicationShutdown(): Promise<void> {
    this.recoverySessions?.stop();
    if (this.extraClient) await closeClient(this.extraClient);
    await this.redis?.close();
  }
}
