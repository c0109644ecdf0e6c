import { io, type Socket } from 'socket.io-client';
import { scaled } from './timing.js';

/** An HTTP client that keeps cookies like a browser tab would (one cookie jar = one session). */
export class HttpClient {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const init: RequestInit = { method, headers: { ...this.defaultHeaders, ...headers } };
    if (this.cookies.size) (init.headers as Record<string, string>).cookie = this.cookieHeader;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof FormData) init.body = body as BodyInit;
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
    }
    const response = await fetch(new URL(path, this.baseUrl), init);
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  patch = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('PATCH', path, body, headers);
  delete = (path: string, headers?: Record<string, string>) => this.request('DELETE', path, undefined, headers);
}

export interface RecordedEvent {
  event: string;
  data: unknown;
}

/** A socket.io client that records every event it receives. */
export class RecordingSocket {
  readonly events: RecordedEvent[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, ...args: unknown[]) => this.events.push({ event, data: args[0] }));
  }

  named(event: string): unknown[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }

  names(): string[] {
    return this.events.filter((e) => !e.event.startsWith('__')).map((e) => e.event);
  }

  async waitFor(event: string, count = 1, timeoutMs = 5000): Promise<unknown[]> {
    await waitUntil(() => this.named(event).length >= count, timeoutMs, `${count}× "${event}" on socket ${this.socket.id}`);
    return this.named(event);
  }

  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    return this.socket.timeout(scaled(5000)).emitWithAck(event, ...args);
  }

  close(): void {
    this.socket.disconnect();
  }
}

export async function connectSocket(
  baseUrl: string,
  options: { cookie?: string; transports?: ('polling' | 'websocket')[]; auth?: Record<string, unknown>; path?: string; namespace?: string; extraHeaders?: Record<string, string> } = {},
): Promise<RecordingSocket> {
  const socket = io(`${baseUrl}${options.namespace ?? ''}`, {
    transports: options.transports ?? ['websocket'],
    extraHeaders: { ...(options.cookie ? { cookie: options.cookie } : {}), ...options.extraHeaders },
    auth: options.auth,
    reconnection: false,
    forceNew: true,
  });
  const recording = new RecordingSocket(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return recording;
}

/** Polls `condition` until it holds; fails after `timeoutMs` × the suites' time scale (test/support/timing.ts). */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const bound = scaled(timeoutMs);
  const deadline = Date.now() + bound;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${bound} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
