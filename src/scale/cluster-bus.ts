import { randomUUID } from 'node:crypto';
import type { RedisClients } from './redis-clients.js';

/** What instances tell each other, besides what the Socket.IO adapter carries. */
export type ClusterMessage =
  /** Deliver an access-aware emit to your own sockets (each instance judges its own recipients). */
  | { type: 'deliver'; event: string; room?: string; slug: string; operation: string; result: unknown; docs: (Record<string, unknown> | null)[] }
  /** An operation written by a process without a Socket.IO server: the instance that owns its sender runs the rules. */
  | { type: 'operation'; slug: string; operation: string; args: Record<string, unknown>; result: unknown; docs: Record<string, unknown>[]; context: Record<string, unknown> };

type Envelope = ClusterMessage & { from: string };

/** A Redis pub/sub channel between the instances (and publishing processes) of one app. */
export class ClusterBus {
  readonly instanceId = randomUUID();
  private readonly channel: string;

  constructor(private readonly redis: RedisClients) {
    this.channel = `${redis.keyPrefix}:cluster`;
  }

  /** False while Redis is unreachable or stalled: the caller delivers locally instead of queueing behind it. */
  get healthy(): boolean {
    return this.redis.healthy;
  }

  /**
   * Subscribes; resolves once subscribed, or at once while Redis is unreachable: then it subscribes when the
   * connection is ready (node-redis 5 accepts a SUBSCRIBE queued before the first connection, but the listener
   * never hears a message), and node-redis renews the subscription after every reconnection.
   */
  async listen(onMessage: (message: ClusterMessage, sender: string) => void): Promise<void> {
    const subscriber = this.redis.subscriber;
    if (!subscriber) return;
    const listener = (raw: string) => {
      let message: Envelope;
      try {
        message = JSON.parse(raw) as Envelope;
      } catch {
        return; // not ours (someone else publishing on the channel): a throw here would end the process
      }
      if (message.from !== this.instanceId) onMessage(message, message.from);
    };
    const attempt = async () => {
      try {
        await subscriber.subscribe(this.channel, listener);
        subscriber.off('ready', onReady);
      } catch {
        // Redis went away again: the next 'ready' tries again
      }
    };
    const onReady = () => void attempt();
    subscriber.on('ready', onReady);
    if (subscriber.isReady) await attempt();
  }

  publish(message: ClusterMessage): void {
    if (!this.healthy) return; // nothing queues behind a dead connection; local delivery already happened
    this.redis.main.publish(this.channel, JSON.stringify({ ...message, from: this.instanceId })).catch(() => undefined);
  }

  /**
   * True on exactly one instance for every message of one sender: the first to claim a sender keeps it while it
   * keeps hearing from it (a lease renewed per message, 30 s), so that sender's operations are emitted in order.
   */
  async owns(sender: string): Promise<boolean> {
    const key = `${this.redis.keyPrefix}:owner:${sender}`;
    const lease = { expiration: { type: 'EX', value: 30 } } as const;
    if ((await this.redis.main.set(key, this.instanceId, { condition: 'NX', ...lease })) === 'OK') return true;
    if ((await this.redis.main.get(key)) !== this.instanceId) return false;
    void this.redis.main.expire(key, 30).catch(() => undefined);
    return true;
  }
}
