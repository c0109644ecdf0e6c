import type { BroadcastOptions } from 'socket.io-adapter';

/** socket.io-adapter's `MessageType.BROADCAST` (the streams adapter replays entries of this type on recovery). */
const BROADCAST = 3;

/** What of a cluster adapter (socket.io-adapter's ClusterAdapter, as the Redis Streams adapter is) is used here. */
export interface ClusterAdapterLike {
  broadcast(packet: Packet, opts: BroadcastOptions): Promise<void> | void;
  publishAndReturnOffset(message: { type: number; data: unknown }): Promise<string>;
  addOffsetIfNecessary(packet: Packet, opts: BroadcastOptions, offset: string): void;
}

interface Packet {
  type: number;
  data?: unknown[];
  id?: number;
  nsp?: string;
}

export interface RedisHealth {
  readonly healthy: boolean;
  onUnhealthy(listener: () => void): void;
}

interface Entry {
  packet: Packet;
  opts: BroadcastOptions;
  /** Free to go to local sockets: its XADD answered or failed, it was local-only, or Redis was lost meanwhile. */
  ready: boolean;
  offset?: string;
}

/**
 * Every broadcast reaches this instance's sockets in the order it was emitted, whatever Redis does (issue 13,
 * point 4). The cluster adapter hands a broadcast to local sockets only once its XADD has answered; while Redis is
 * down the module sends local-only broadcasts instead, which went out at once and overtook those still waiting for
 * Redis (for as long as a frozen Redis kept them waiting). Here each broadcast waits for the ones before it:
 *
 * - With Redis healthy a broadcast is added to the stream (one connection, so the stream keeps emit order) and goes
 *   to local sockets once it and all before it are through, with its offset (what recovery resumes from).
 * - A local-only broadcast (Redis down) waits only for the ones before it.
 * - When the connection is lost or found stalled, the broadcasts still waiting for Redis go to local sockets at
 *   once, in order and without an offset; if their XADD still lands later, the other instances get them then, and
 *   nothing is delivered here a second time.
 */
export function orderLocalDelivery(adapter: ClusterAdapterLike, redis: RedisHealth, log: (message: string) => void): void {
  const broadcast = adapter.broadcast.bind(adapter);
  const waiting: Entry[] = [];
  const local = (opts: BroadcastOptions): BroadcastOptions => ({ ...opts, flags: { ...opts.flags, local: true } });

  const flush = () => {
    while (waiting.length && waiting[0].ready) {
      const { packet, opts, offset } = waiting.shift()!;
      try {
        if (offset) adapter.addOffsetIfNecessary(packet, opts, offset);
        void Promise.resolve(broadcast(packet, local(opts))).catch((error: unknown) => log(`Local delivery failed: ${errorMessage(error)}`));
      } catch (error) {
        log(`Local delivery failed: ${errorMessage(error)}`);
      }
    }
  };

  adapter.broadcast = (packet, opts) => {
    const entry: Entry = { packet, opts, ready: Boolean(opts.flags?.local) || !redis.healthy };
    waiting.push(entry);
    if (!entry.ready) {
      adapter
        .publishAndReturnOffset({ type: BROADCAST, data: { packet, opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags } } })
        .then(
          (offset) => (entry.offset = offset),
          () => undefined, // Redis failed it: this instance's sockets get it anyway, the others cannot
        )
        .finally(() => {
          entry.ready = true;
          flush();
        });
    }
    flush();
  };

  redis.onUnhealthy(() => {
    for (const entry of waiting) entry.ready = true;
    flush();
  });
}

const errorMessage = (error: unknown) => (error as Error)?.message ?? String(error);
