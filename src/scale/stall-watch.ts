import type { Redis, RedisLog } from './redis-clients.js';

/** How often the connection is asked whether Redis still answers. */
const PING_EVERY_MS = 1_000;
/** How long an unanswered PING may wait before the connection counts as stalled. */
const STALLED_AFTER_MS = 5_000;

/**
 * Notices a Redis that keeps the connection open but no longer answers (a frozen process, a network partition that
 * never resets the socket). node-redis then stays "ready" and queues every command behind the silence, and so would
 * the adapter's delivery to this instance's own sockets. While a PING waits longer than STALLED_AFTER_MS the
 * connection counts as stalled (emits go to local sockets at once, as when Redis is down); its answer ends that.
 */
export class StallWatch {
  private stalledSince?: number;
  private askedAt?: number;
  private checkedAt = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: Redis,
    private readonly log: RedisLog,
    /** Called when a stall begins. */
    private readonly onStall: () => void = () => undefined,
  ) {
    this.timer = setInterval(() => this.check(), PING_EVERY_MS);
    this.timer.unref();
  }

  get stalled(): boolean {
    return this.stalledSince !== undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = Date.now();
    // After a blocked event loop this runs before the answer that may have arrived meanwhile is read: not a stall.
    const blocked = now - this.checkedAt > 2 * PING_EVERY_MS;
    this.checkedAt = now;
    if (this.askedAt !== undefined) {
      if (blocked) return;
      if (!this.stalled && now - this.askedAt > STALLED_AFTER_MS) {
        this.stalledSince = this.askedAt;
        this.log.error(`Redis: no answer for ${STALLED_AFTER_MS / 1000} s; emits stay on this instance until it answers`);
        this.onStall();
      }
      return; // one PING at a time: a stalled connection must not pile them up
    }
    // A closed or reconnecting client is node-redis's to report; its 'ready' state already keeps emits local.
    if (!this.client.isReady) return;
    this.askedAt = now;
    this.client
      .ping()
      .then(() => {
        if (this.stalled) this.log.info(`Redis: answering again after ${Math.round((Date.now() - this.stalledSince!) / 1000)} s`);
      })
      .catch(() => undefined) // the connection failed: node-redis reports it and reconnects
      .finally(() => {
        this.askedAt = undefined;
        this.stalledSince = undefined;
      });
  }
}
