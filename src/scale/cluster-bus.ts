import { randomUUID } from 'node:crypto';
import type { RedisClients } from './redis-clients.js';

/** What instances tell each other, besides what the Socket.IO adapter carries. */
export type ClusterMessage =
  /** Deliver an access-aware emit to your own sockets (each instance judges its own recipients). */
  | { type: 'deliver'; event: string; room?: string; slug: string; operation: string; result: unknown; docs: (Record<string, unknown> | null)[] }
  /** An operation written by a process without a Socket.IO server: the instance that owns its sender runs the rules. */
  | { type: 'operation'; slug: string; operation: string; args: Record<string, unknown>; result: unknown; docs: Record<string, unknown>[]; context: Record<string, unknown> };

type Envelope = ClusterMessage & { from: string };

/** Deletes an owner lease only while it is still this instance's (another may have taken it over meanwhile). */
const RELEASE_LEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const LEASE_SECONDS = 30;

/** A Redis pub/sub channel between the instances (and publishing processes) of one app. */
export class ClusterBus {
  readonly instanceId = randomUUID();
  private readonly channel: string;
  /** Senders whose lease this instance holds, with when it was last renewed. */
  private readonly owned = new Map<string, number>();
  private releasing = false;

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

  /** Best effort: while Redis is unreachable nothing queues behind it (local delivery already happened). */
  publish(message: ClusterMessage): void {
    if (this.healthy) this.send(message).catch(() => undefined);
  }

  /** Resolves with how many listeners (socket servers) received the message. */
  send(message: ClusterMessage): Promise<number> {
    return this.redis.main.publish(this.channel, JSON.stringify({ ...message, from: this.instanceId }));
  }

  /**
   * True on exactly one instance for every message of one sender: the first to claim a sender keeps it while it
   * keeps hearing from it (a lease renewed per message), so that sender's operations are emitted in order. An
   * instance that shuts down lets go first (`release`); one that dies holds the sender until the lease runs out.
   */
  async owns(sender: string): Promise<boolean> {
    if (this.releasing) return false;
    const key = this.leaseKey(sender);
    const lease = { expiration: { type: 'EX', value: LEASE_SECONDS } } as const;
    const claimed = (await this.redis.main.set(key, this.instanceId, { condition: 'NX', ...lease })) === 'OK';
    if (!claimed && (await this.redis.main.get(key)) !== this.instanceId) return false;
    if (this.releasing) {
      void this.releaseLease(sender); // shutdown began while claiming, after `release` looked at what is owned
      return false;
    }
    if (!claimed) void this.redis.main.expire(key, LEASE_SECONDS).catch(() => undefined);
    this.keepOwned(sender);
    return true;
  }

  /** At shutdown: claims nothing more and hands every sender it owns to whichever instance hears from it next. */
  async release(): Promise<void> {
    this.releasing = true;
    if (!this.healthy) return; // the leases run out by themselves
    await Promise.all([...this.owned.keys()].map((sender) => this.releaseLease(sender)));
  }

  private releaseLease(sender: string): Promise<unknown> {
    this.owned.delete(sender);
    return this.redis.main.eval(RELEASE_LEASE, { keys: [this.leaseKey(sender)], arguments: [this.instanceId] }).catch(() => undefined);
  }

  /** Remembers when a lease was last renewed, forgetting senders whose lease ran out (scripts come and go). */
  private keepOwned(sender: string): void {
    const now = Date.now();
    if (!this.owned.has(sender)) {
      for (const [known, renewedAt] of this.owned) if (now - renewedAt > LEASE_SECONDS * 1000) this.owned.delete(known);
    }
    this.owned.set(sender, now);
  }

  private leaseKey(sender: string): string {
    return `${this.redis.keyPrefix}:owner:${sender}`;
  }
}
