import type { ClusterBus, ClusterMessage } from './cluster-bus.js';
import type { RedisLog } from './redis-clients.js';

type OperationMessage = Extract<ClusterMessage, { type: 'operation' }>;

/** How many operations a publishing process keeps while no socket server can hear them (the oldest go first). */
const MAX_WAITING = 10_000;
/** How often it tries again while Redis is unreachable or no socket server listens. */
const RETRY_MS = 250;

/** Unref'd: operations waiting for Redis do not keep a process alive that has nothing else to do. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * A publishing process's operations on their way to the socket servers, one after another in the order they were
 * committed. Each counts as sent once at least one server received it (Redis answers how many did); until then it
 * waits, with everything after it: through a Redis outage or restart, after which this process may well reconnect
 * before any server has subscribed again. Delivery is at least once: a reply lost with the connection sends that
 * operation again.
 */
export class RelayOutbox {
  private readonly waiting: OperationMessage[] = [];
  private sending?: Promise<void>;
  private dropped = 0;
  private warned = false;
  private closed = false;

  constructor(
    private readonly bus: ClusterBus,
    private readonly log: RedisLog,
  ) {}

  send(message: OperationMessage): void {
    if (this.closed) return;
    this.waiting.push(message);
    if (this.waiting.length > MAX_WAITING) {
      this.waiting.shift();
      this.dropped += 1;
    }
    this.sending ??= this.sendWaiting().finally(() => (this.sending = undefined));
  }

  /** At the end: waits (at most `timeoutMs`) until everything is sent, then gives up on what still waits. */
  async close(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.sending, timeout]).finally(() => clearTimeout(timer));
    this.closed = true;
    if (this.waiting.length) {
      this.log.error(`Redis: ${this.waiting.length} operation(s) of this process not sent to the socket servers within ${timeoutMs / 1000} s; they are lost`);
      this.waiting.length = 0;
    }
  }

  private async sendWaiting(): Promise<void> {
    while (this.waiting.length && !this.closed) {
      const receivers = this.bus.healthy ? await this.bus.send(this.waiting[0]).catch(() => 0) : 0;
      if (receivers > 0) {
        this.waiting.shift();
        continue;
      }
      if (!this.warned) this.log.error('Redis: no socket server hears this process; its operations wait, in order, until one does');
      this.warned = true;
      await pause(RETRY_MS);
    }
    if (this.warned && !this.closed) this.log.info(`Redis: a socket server hears this process again; waiting operations sent${this.droppedNote()}`);
    this.warned = false;
  }

  private droppedNote(): string {
    const note = this.dropped ? ` (${this.dropped} older ones dropped: more than ${MAX_WAITING} waited)` : '';
    this.dropped = 0;
    return note;
  }
}
