import { createRequire } from 'node:module';
import type { Namespace, Socket } from 'socket.io';
import { isUserRoom } from '../session/rooms.js';
import type { RedisClients } from './redis-clients.js';

/** Sent to a client that asked to be recovered and could not be: what it missed is not coming. */
export const RECOVERY_FAILED_EVENT = 'payload-socket:recovery-failed';

/** Disconnect reasons after which Socket.IO keeps a session for recovery (socket.io's RECOVERABLE_DISCONNECT_REASONS). */
const RECOVERABLE = new Set(['transport error', 'transport close', 'forced close', 'ping timeout', 'server shutting down', 'forced server close']);

/** How often each live socket's session is written again (at most; half the recovery window when that is shorter). */
const REFRESH_MS = 60_000;

type Encode = (value: unknown) => Uint8Array;

/** The msgpack the streams adapter itself decodes sessions with (its own dependency, resolved from it). */
function adapterEncode(): Encode {
  const fromHere = createRequire(import.meta.url);
  const fromAdapter = createRequire(fromHere.resolve('@socket.io/redis-streams-adapter'));
  return (fromAdapter('@msgpack/msgpack') as { encode: Encode }).encode;
}

/**
 * Recovery that does not depend on how the old instance ended (issue 13, point 3). Socket.IO stores a session for
 * recovery only when the server sees the disconnect; an instance that dies (SIGKILL, OOM, a lost host) stores
 * none, and its sockets could not be recovered anywhere. Here each socket's session (id, pid, rooms, data — what
 * Socket.IO stores, user rooms left out as on a disconnect) is kept in Redis while it is connected, under the
 * streams adapter's own key and encoding, so that any instance's `restoreSession` finds it:
 *
 * - written when the socket connects and whenever its rooms change (coalesced per event-loop turn);
 * - written again every REFRESH_MS (or half the window), with a lifetime of the window plus that interval, so that
 *   after a death every session lives on for at least the whole recovery window;
 * - deleted when the socket leaves for good (a reason Socket.IO does not recover from); on a recoverable disconnect
 *   Socket.IO writes its own, fresher one.
 *
 * While Redis is unhealthy nothing is written (a restarted Redis has lost the stream, and with it every offset).
 */
export class RecoverySessions {
  private readonly encode = adapterEncode();
  private readonly changed = new Set<string>();
  private flushing = false;
  private readonly timer: NodeJS.Timeout;
  private readonly refreshMs: number;
  private readonly ttlMs: number;

  constructor(
    private readonly nsp: Namespace,
    private readonly redis: RedisClients,
    private readonly keyPrefix: string,
    maxDisconnectionDuration: number,
  ) {
    this.refreshMs = Math.max(1_000, Math.min(REFRESH_MS, maxDisconnectionDuration / 2));
    this.ttlMs = maxDisconnectionDuration + this.refreshMs;
    this.watchRooms();
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Rooms change through the adapter (a socket's own room at connect, joins and leaves later). */
  private watchRooms(): void {
    const adapter = this.nsp.adapter as unknown as {
      addAll(id: string, rooms: Set<string>): unknown;
      del(id: string, room: string): unknown;
    };
    const addAll = adapter.addAll.bind(adapter);
    const del = adapter.del.bind(adapter);
    adapter.addAll = (id, rooms) => {
      const result = addAll(id, rooms);
      this.schedule(id);
      return result;
    };
    adapter.del = (id, room) => {
      const result = del(id, room);
      this.schedule(id);
      return result;
    };
  }

  private schedule(id: string): void {
    this.changed.add(id);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const ids = [...this.changed];
      this.changed.clear();
      for (const id of ids) {
        const socket = this.nsp.sockets.get(id);
        if (socket?.connected) this.write(socket);
      }
    });
  }

  private refresh(): void {
    if (!this.redis.healthy) return;
    for (const socket of this.nsp.sockets.values()) if (socket.connected) this.write(socket);
  }

  private write(socket: Socket): void {
    const { pid } = socket as Socket & { pid?: string };
    if (!pid || !this.redis.healthy) return;
    if (!(socket as Socket & { [tracked]?: true })[tracked]) {
      (socket as Socket & { [tracked]?: true })[tracked] = true;
      socket.on('disconnect', forgetOnLeave);
      sessionsOf.set(socket, this);
    }
    const session = { sid: socket.id, pid, rooms: [...socket.rooms].filter((room) => !isUserRoom(room)), data: socket.data };
    let value: string;
    try {
      value = Buffer.from(this.encode(session)).toString('base64');
    } catch {
      return; // data msgpack cannot encode: Socket.IO's own persist would fail the same way
    }
    this.redis.main.set(this.keyPrefix + pid, value, { PX: this.ttlMs }).catch(() => undefined);
  }

  /** A socket that left for good: its session must not be recovered. */
  forget(socket: Socket, reason: string): void {
    this.changed.delete(socket.id);
    const { pid } = socket as Socket & { pid?: string };
    if (!pid || RECOVERABLE.has(reason) || !this.redis.healthy) return;
    this.redis.main.del(this.keyPrefix + pid).catch(() => undefined);
  }
}

const tracked = Symbol('nest-payload-socket recovery session');
const sessionsOf = new WeakMap<Socket, RecoverySessions>();

/** One listener function for every socket (per-socket closures cost memory). */
function forgetOnLeave(this: Socket, reason: string): void {
  sessionsOf.get(this)?.forget(this, reason);
}

/**
 * A client that asked to be recovered (it sent its session id and last offset) and was not: tell it, so that it
 * reloads what it shows instead of silently missing what was sent meanwhile. `since` is when the last event it
 * received was sent (a Redis Streams offset starts with that time, in ms).
 */
export function tellIfNotRecovered(socket: Socket): void {
  if (socket.recovered) return;
  const { pid, offset } = (socket.handshake.auth ?? {}) as { pid?: unknown; offset?: unknown };
  if (typeof pid !== 'string' || typeof offset !== 'string') return;
  const ms = Number(/^(\d+)-\d+$/.exec(offset)?.[1]);
  const since = Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  socket.emit(RECOVERY_FAILED_EVENT, {
    since,
    offset,
    message:
      `The connection could not be recovered (its session expired or was lost): events sent ${since ? `since ${since}` : 'while it was away'} ` +
      'were not delivered and will not be. Reload what you show.',
  });
}

interface AdapterInternals {
  _encode(packet: { data?: unknown[] }, ...rest: unknown[]): unknown;
  apply(opts: { rooms: Set<string>; except?: Set<string> }, callback: (socket: Socket) => void): void;
  restoreSession?(pid: string, offset: string): Promise<RestoredSession | undefined | null>;
}

interface RestoredSession {
  sid: string;
  pid: string;
  rooms: string[];
  missedPackets: unknown[][];
}

interface Recovering {
  rooms: Set<string>;
  /** Broadcasts it should have had since its session was read, in order, each with its stream offset if any. */
  waiting: { write: (socket: Socket) => void; offset?: string }[];
  /** The stream was read up to here for it: a broadcast at or before this offset was restored already. */
  readUpTo?: string;
}

/** How long a socket may take between its session being restored and its connection (the middleware's work). */
const RESTORE_TO_CONNECT_MS = 60_000;
/** How many broadcasts are kept for one socket meanwhile; past that it is left as Socket.IO leaves it. */
const MAX_WAITING = 10_000;

/** Reads the missed broadcasts of a restored session from the stream, after `offset`; resolves with the last id read. */
export type StreamReader = (session: RestoredSession, offset: string) => Promise<string | undefined>;

/**
 * Closes the gap in Socket.IO's recovery between reading a session (rooms, missed packets) and the socket joining
 * the namespace. Socket.IO reads the session and the stream, then runs the namespace's middleware (which checks who
 * comes back: a database round trip), and only then adds the socket: a broadcast in between reached the rooms'
 * other sockets and not this one, and was not among the restored packets either. Measured: a write made while 50
 * sockets came back to another instance was missing on up to half of them.
 *
 * From the moment its session is restored until it connects, every broadcast to its rooms is kept for the socket,
 * with its offset; the stream is read once more past the restored packets (the broadcasts that went out between the
 * first read and the moment this began); on connect the kept broadcasts are sent after those, in order, without the
 * ones the second read already restored. A socket that never connects (the middleware refused it) is forgotten.
 */
export function closeRecoveryGap(nsp: Namespace, readStream?: StreamReader): (socket: Socket) => void {
  const adapter = nsp.adapter as unknown as AdapterInternals;
  const restore = adapter.restoreSession?.bind(adapter);
  const recovering = new Map<string, Recovering>();
  if (!restore || typeof adapter._encode !== 'function' || typeof adapter.apply !== 'function') return () => undefined;

  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    if (!session) return session;
    const entry: Recovering = { rooms: new Set(session.rooms), waiting: [] };
    recovering.set(session.sid, entry);
    setTimeout(() => recovering.get(session.sid) === entry && recovering.delete(session.sid), RESTORE_TO_CONNECT_MS).unref();
    if (readStream) {
      const last = session.missedPackets.at(-1)?.at(-1);
      try {
        entry.readUpTo = await readStream(session, typeof last === 'string' ? last : offset);
      } catch {
        // Redis failed meanwhile: what was restored and what is kept from now on is all there is
      }
    }
    return session;
  };

  // A broadcast encodes its packet (its offset is its last argument by then), then applies it to the sockets: only
  // those `apply` calls deliver packets (the others join, leave, fetch or disconnect connected sockets).
  const encode = adapter._encode.bind(adapter);
  const apply = adapter.apply.bind(adapter);
  let broadcast: { data?: unknown[] } | undefined;
  adapter._encode = (packet, ...rest) => {
    broadcast = packet;
    return encode(packet, ...rest);
  };
  adapter.apply = (opts, callback) => {
    const packet = broadcast;
    broadcast = undefined;
    apply(opts, callback);
    if (!packet || recovering.size === 0) return;
    const last = packet.data?.at(-1);
    const offset = typeof last === 'string' && STREAM_ID.test(last) ? last : undefined;
    for (const [sid, entry] of recovering) {
      if (nsp.sockets.has(sid)) continue; // connected: `apply` reached it
      if (opts.rooms.size && ![...opts.rooms].some((room) => entry.rooms.has(room))) continue;
      if (opts.except && [...opts.except].some((room) => entry.rooms.has(room))) continue;
      if (entry.waiting.length >= MAX_WAITING) {
        recovering.delete(sid);
        continue;
      }
      entry.waiting.push({ write: callback, offset });
    }
  };

  /** On connect: what was kept for it, after what was restored. */
  return (socket) => {
    const entry = recovering.get(socket.id);
    if (!entry) return;
    recovering.delete(socket.id);
    for (const { write, offset } of entry.waiting) {
      if (offset && entry.readUpTo && compareStreamIds(offset, entry.readUpTo) <= 0) continue;
      write(socket);
    }
  };
}

const STREAM_ID = /^\d+-\d+$/;

function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The id right after `id` (XRANGE's exclusive start, as the streams adapter writes it). */
const nextStreamId = (id: string) => {
  const [ms, seq] = id.split('-');
  return `${ms}-${BigInt(seq) + 1n}`;
};

type Decode = (bytes: Uint8Array) => unknown;

/**
 * Reads the streams adapter's stream as its own `restoreSession` does: the broadcasts of `nsp` after `offset` that
 * reach the session's rooms are added to its missed packets, each with its id as last argument.
 */
export function streamReader(redis: RedisClients, streamName: string, nsp: Namespace): StreamReader {
  const fromHere = createRequire(import.meta.url);
  const decode = (createRequire(fromHere.resolve('@socket.io/redis-streams-adapter'))('@msgpack/msgpack') as { decode: Decode }).decode;
  return async (session, offset) => {
    let from = offset;
    for (let round = 0; round < 100; round++) {
      const entries = (await redis.main.xRange(streamName, nextStreamId(from), '+')) as { id: string; message: Record<string, string> }[];
      if (entries.length === 0) break;
      for (const { id, message } of entries) {
        from = id;
        if (message.nsp !== nsp.name || message.type !== '3' || !message.data) continue;
        const data = (message.data.startsWith('{') ? JSON.parse(message.data) : decode(Buffer.from(message.data, 'base64'))) as {
          packet: { data: unknown[] };
          opts: { rooms: string[]; except: string[] };
        };
        const { rooms, except } = data.opts;
        const included = rooms.length === 0 || session.rooms.some((room) => rooms.includes(room));
        if (!included || session.rooms.some((room) => except.includes(room))) continue;
        data.packet.data.push(id);
        session.missedPackets.push(data.packet.data);
      }
    }
    return from;
  };
}
