import { io, type Socket } from 'socket.io-client';
import { serve } from '../lib/ipc.js';
import { stamp } from '../lib/stats.js';

/**
 * A socket client process: holds many socket.io-client sockets and records, per event sequence number, when
 * each socket received it (this machine's clock, comparable with the server's stamps).
 */
interface ConnectArgs {
  url: string;
  count: number;
  events: string[];
  cookie?: string;
  room?: string;
  /** Sockets opened at once while connecting. */
  batch?: number;
  /** One JWT per socket (`handshake.auth.token`); when given, `count` is their number. */
  tokens?: string[];
  /** `times`: every receipt stamp per seq (P2); `count`: counts per seq and latency samples only (soak). */
  mode?: 'times' | 'count';
}

const sockets: Socket[] = [];
/** seq → receipt stamps (one per socket that got it). */
const receipts = new Map<number, number[]>();
/** seq → commit stamp carried by the payload. */
const committed = new Map<number, number>();
/** seq → when the rule ran (`ruleAt` in the payload, when there is one). */
const ruled = new Map<number, number>();
/** Counting mode: seq → receipts, and receipt − commit of each. */
const counts = new Map<number, number>();
let latencies: number[] = [];
let mode: ConnectArgs['mode'] = 'times';
const eventCounts = new Map<string, number>();
let disconnects = 0;
let waiters: { seq: number; check(): void }[] = [];

function onEvent(event: string, data: { seq?: number; committedAt?: number; ruleAt?: number } | undefined): void {
  const at = stamp();
  eventCounts.set(event, (eventCounts.get(event) ?? 0) + 1);
  const seq = data?.seq;
  if (typeof seq !== 'number') return;
  if (mode === 'count') {
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
    if (typeof data?.committedAt === 'number') latencies.push(at - data.committedAt);
    return;
  }
  let times = receipts.get(seq);
  if (!times) receipts.set(seq, (times = []));
  times.push(at);
  if (typeof data?.committedAt === 'number') committed.set(seq, data.committedAt);
  if (typeof data?.ruleAt === 'number') ruled.set(seq, data.ruleAt);
  for (const waiter of waiters) if (waiter.seq === seq) waiter.check();
}

function open(args: ConnectArgs, token?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(args.url, {
      auth: token ? { token } : {},
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
      query: args.room ? { room: args.room } : undefined,
      extraHeaders: args.cookie ? { cookie: args.cookie } : undefined,
    });
    for (const event of args.events) socket.on(event, (data) => onEvent(event, data));
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
    socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') disconnects++;
    });
  });
}

serve(
  {
    async connect(args: ConnectArgs): Promise<{ connected: number }> {
      mode = args.mode ?? 'times';
      const batch = args.batch ?? 100;
      const count = args.tokens?.length ?? args.count;
      for (let done = 0; done < count; done += batch) {
        const size = Math.min(batch, count - done);
        sockets.push(...(await Promise.all(Array.from({ length: size }, (_, i) => open(args, args.tokens?.[done + i])))));
      }
      return { connected: sockets.filter((s) => s.connected).length };
    },
    /**
     * Resolves when `expect` sockets (default: every connected one) have `seq`, or at the timeout: the receipt
     * stamps and how many are missing.
     */
    await({ seq, timeoutMs, expect }: { seq: number; timeoutMs: number; expect?: number }): Promise<{ times: number[]; missing: number; committedAt?: number; ruleAt?: number }> {
      return new Promise((resolve) => {
        const expected = expect ?? sockets.filter((s) => s.connected).length;
        const finish = () => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== waiter);
          const times = receipts.get(seq) ?? [];
          receipts.delete(seq);
          resolve({ times, missing: Math.max(0, expected - times.length), committedAt: committed.get(seq), ruleAt: ruled.get(seq) });
          committed.delete(seq);
          ruled.delete(seq);
        };
        const waiter = { seq, check: () => (receipts.get(seq)?.length ?? 0) >= expected && finish() };
        const timer = setTimeout(finish, timeoutMs);
        waiters.push(waiter);
        waiter.check();
      });
    },
    /** Counting mode (soak): receipts per seq and delivery latency samples, then forgets them. */
    drain(): { perSeq: Record<number, number>; latencies: number[]; events: Record<string, number>; disconnects: number; connected: number } {
      const perSeq = Object.fromEntries(counts);
      counts.clear();
      const drained = latencies;
      latencies = [];
      const events = Object.fromEntries(eventCounts);
      eventCounts.clear();
      return { perSeq, latencies: drained, events, disconnects, connected: sockets.filter((s) => s.connected).length };
    },
    /** Receipts nobody awaited (events that reached sockets they were not meant for), then forgets them. */
    stray(): number {
      const total = [...receipts.values()].reduce((sum, times) => sum + times.length, 0);
      receipts.clear();
      committed.clear();
      ruled.clear();
      return total;
    },
    disconnect(): void {
      for (const socket of sockets.splice(0)) socket.disconnect();
      receipts.clear();
      committed.clear();
      ruled.clear();
      counts.clear();
      latencies = [];
      eventCounts.clear();
      disconnects = 0;
    },
    close(): void {
      for (const socket of sockets.splice(0)) socket.disconnect();
      setImmediate(() => process.exit(0));
    },
  },
  {},
);
