import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import type { SocketLimits } from '../options.js';

type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const DEFAULT_PER_MINUTE = 60;
const DEFAULT_BURST = 30;
/** The host's own addresses: a reverse proxy or health check on the same machine is every client at once. */
const UNLIMITED = new Set(['127.0.0.1', '::1']);
const MAX_TRACKED = 100_000;

/**
 * An Engine.IO middleware, first in the chain, that counts handshakes (requests without a `sid`) per client
 * address in a token bucket and refuses those past the limit with HTTP 429 (and `Retry-After`), before the
 * session middleware or anything else runs for them: a flood from one address costs a map lookup per handshake.
 * Undefined when the limit is off.
 */
export function limitHandshakes(limits: SocketLimits, options: { proxy?: boolean } = {}): EngineMiddleware | undefined {
  const perMinute = limits.handshakesPerMinute ?? DEFAULT_PER_MINUTE;
  if (perMinute <= 0) return undefined;
  const perMs = perMinute / 60_000;
  const burst = Math.max(1, limits.handshakeBurst ?? DEFAULT_BURST);
  const keyOf = limits.handshakeKey ?? ((req: IncomingMessage) => defaultKey(req, options.proxy === true));
  const buckets = new Map<string, { tokens: number; at: number }>();

  /** Drops buckets that have refilled (they mean nothing any more); all of them if a flood of addresses filled it. */
  const sweep = (now: number) => {
    for (const [key, bucket] of buckets) if (bucket.tokens + (now - bucket.at) * perMs >= burst) buckets.delete(key);
    if (buckets.size >= MAX_TRACKED) buckets.clear();
  };

  return (req, res, next) => {
    if ((req as { _query?: { sid?: string } })._query?.sid !== undefined) return next(); // not a handshake
    const key = keyOf(req);
    if (key === undefined || UNLIMITED.has(key)) return next();
    const now = Date.now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED / 2) sweep(now);
      buckets.set(key, (bucket = { tokens: burst, at: now }));
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return next();
    }
    refuse(req, res, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  };
}

const BODY = JSON.stringify({ code: 429, message: 'Too many connection attempts from this address: try again later.' });

/** 429 on a polling handshake's response, or written raw on a websocket upgrade's socket (which has no response). */
function refuse(req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number): void {
  const headers = { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds), 'content-length': String(Buffer.byteLength(BODY)) };
  if (!req.headers.upgrade) {
    res.writeHead(429, { ...headers, connection: 'close' });
    res.end(BODY);
    return;
  }
  const socket = (res as unknown as { socket?: Duplex }).socket ?? (req.socket as Duplex);
  if (!socket.writable) return void socket.destroy();
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n');
  socket.end(`HTTP/1.1 429 Too Many Requests\r\n${head}\r\nconnection: close\r\n\r\n${BODY}`);
}

/** The client's address: the socket's, or the one the (trusted) proxy saw; IPv6 by its /64 (one host's range). */
function defaultKey(req: IncomingMessage, proxy: boolean): string | undefined {
  let address = req.socket.remoteAddress;
  if (proxy) {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    if (forwarded.length) address = forwarded[forwarded.length - 1];
  }
  if (!address) return undefined;
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  if (isIP(address) !== 6 || address === '::1') return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail = ''] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array(Math.max(0, missing)).fill('0'), ...right];
}
