import 'reflect-metadata';
import { ConsoleLogger, Controller, Get, Injectable, Req, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Session, Store } from 'express-session';
import type { Socket } from 'socket.io';
import { io } from 'socket.io-client';
import type { Payload } from 'payload';
import { OnConnect, SessionIoAdapter, type RealtimeService } from '../../src/index.js';
import { SESSION_MIDDLEWARE } from '../../src/constants.js';
import type { SessionRuntime } from '../../src/session/session-middleware.js';
import { SESSIONS_COLLECTION_SLUG } from '../../src/session/stores/payload-session-store.js';
import { PG_SESSION_SCHEMA, PG_SESSION_TABLE } from '../../src/session/stores/postgres-session-store.js';
import { listen, type TestApp } from '../support/app.js';
import { RecordingSocket, waitUntil } from '../support/clients.js';

export { testConfig as gatewayConfig } from '../support/config.js';

/** Every line Nest's Logger printed, with its level and context; nothing reaches the console. */
export class CapturedLogger extends ConsoleLogger {
  readonly lines: { level: string; context?: string; message: string }[] = [];

  constructor() {
    super();
    this.setLogLevels(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }

  private capture(level: string, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.lines.push({ level, context, message: String(message) });
  }

  override log(message: unknown, ...rest: unknown[]) { this.capture('log', message, rest); }
  override error(message: unknown, ...rest: unknown[]) { this.capture('error', message, rest); }
  override warn(message: unknown, ...rest: unknown[]) { this.capture('warn', message, rest); }
  override debug(message: unknown, ...rest: unknown[]) { this.capture('debug', message, rest); }
  override verbose(message: unknown, ...rest: unknown[]) { this.capture('verbose', message, rest); }
  override fatal(message: unknown, ...rest: unknown[]) { this.capture('fatal', message, rest); }

  messages(level: string, context = 'PayloadSocket'): string[] {
    return this.lines.filter((l) => l.level === level && l.context === context).map((l) => l.message);
  }
}

/** Like test/support's startApp, but with a logger the test can read. */
export async function startGatewayApp(metadata: ModuleMetadata, logger = new CapturedLogger()): Promise<TestApp & { logger: CapturedLogger }> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger });
  app.useWebSocketAdapter(new SessionIoAdapter(app));
  return { ...(await listen(app)), logger };
}

/** A route that writes into the HTTP session, so a test can look for the value from a socket. */
@Controller('test-session')
export class SessionCounterController {
  @Get('counter')
  increment(@Req() req: Request) {
    const session = req.session as unknown as { counter?: number };
    session.counter = (session.counter ?? 0) + 1;
    return { counter: session.counter, sessionID: req.sessionID };
  }

  @Get('peek')
  peek(@Req() req: Request) {
    return { counter: (req.session as unknown as { counter?: number }).counter ?? null, sessionID: req.sessionID };
  }
}

/** The session id inside a `connect.sid` cookie value (`s%3A<sid>.<signature>`). */
export function sessionIdOf(cookieValue: string): string {
  const decoded = decodeURIComponent(cookieValue);
  if (!decoded.startsWith('s:')) throw new Error(`not a signed session cookie: ${cookieValue}`);
  return decoded.slice(2, decoded.indexOf('.'));
}

/** The module's room for the session behind a `connect.sid` cookie value. */
export const sessionRoomOf = (realtime: RealtimeService, cookieValue: string): string =>
  realtime.rooms.session(sessionIdOf(cookieValue));

/** Ids of the sockets the server has in a room of the module's namespace. */
export function socketsIn(realtime: RealtimeService, room: string): string[] {
  return [...(realtime.namespace!.adapter.rooms.get(room) ?? [])];
}

/** The `connect.sid` value a Set-Cookie list carries, if any. */
export function sessionCookieIn(setCookies: string[]): string | undefined {
  const line = setCookies.find((c) => c.startsWith('connect.sid='));
  return line?.slice('connect.sid='.length).split(';')[0];
}

type SessionRequest = { session?: Session & { counter?: number }; sessionID?: string };

/** Answers what the socket's own request carries: the session express-session loaded on the handshake. */
@Injectable()
export class SessionProbe {
  @OnConnect()
  listen(socket: Socket): void {
    const request = socket.request as unknown as SessionRequest;
    socket.on('session?', (ack: (answer: unknown) => void) =>
      ack({ counter: request.session?.counter ?? null, sessionID: request.sessionID ?? null }),
    );
    // A socket may write the shared session too; it must save it explicitly (no HTTP response does it).
    socket.on('session+', (ack: (answer: unknown) => void) => {
      request.session!.counter = (request.session!.counter ?? 0) + 10;
      request.session!.save(() => ack(request.session!.counter));
    });
    // …and read what HTTP wrote since the handshake.
    socket.on('session~', (ack: (answer: unknown) => void) => request.session!.reload(() => ack(request.session!.counter)));
  }
}

/** An Engine.IO v4 long-polling session spoken by hand (raw HTTP), for header checks and malformed packets. */
export class RawPolling {
  sid = '';

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  private url(): string {
    return `${this.baseUrl}/socket.io/?EIO=4&transport=polling${this.sid ? `&sid=${this.sid}` : ''}`;
  }

  /** The handshake GET: returns the raw response (status, headers, body). */
  async open(): Promise<{ status: number; headers: Headers; body: string }> {
    const response = await fetch(this.url(), { headers: this.headers });
    const body = await response.text();
    if (response.status === 200 && body.startsWith('0')) this.sid = JSON.parse(body.slice(1)).sid;
    return { status: response.status, headers: response.headers, body };
  }

  async send(payload: string | Uint8Array): Promise<number> {
    const body = typeof payload === 'string' ? payload : Buffer.from(payload);
    const contentType = typeof payload === 'string' ? 'text/plain;charset=UTF-8' : 'application/octet-stream';
    const response = await fetch(this.url(), { method: 'POST', body, headers: { ...this.headers, 'content-type': contentType } });
    await response.text();
    return response.status;
  }

  async poll(): Promise<{ status: number; body: string }> {
    const response = await fetch(this.url(), { headers: this.headers });
    return { status: response.status, body: await response.text() };
  }

  /**
   * Starts a GET the server holds open, as a real polling client always has one: a server that closes the session
   * answers it at once (without one, Engine.IO waits 30 s for the client to come back, past the test's end).
   */
  async holdPoll(realtime: RealtimeService): Promise<{ answered: Promise<unknown> }> {
    const answered = this.poll();
    const clients = (realtime.namespace!.server.engine as unknown as { clients: Record<string, { transport: { req?: unknown } }> }).clients;
    await waitUntil(() => Boolean(clients[this.sid]?.transport.req), 5000, 'the server to hold the poll');
    return { answered }; // wrapped: an async function would otherwise wait for it
  }
}

/** The store's row of a session, read past the store (so an expired-but-kept row still shows): PG table or collection. */
export async function storedSessionRow(payload: Payload, sid: string): Promise<{ expiresAt: Date } | null> {
  const pool = (payload.db as unknown as { pool?: { query(sql: string, values: unknown[]): Promise<{ rows: { expire: Date }[] }> } }).pool;
  if (pool) {
    const { rows } = await pool.query(`SELECT expire FROM "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}" WHERE sid = $1`, [sid]);
    return rows[0] ? { expiresAt: new Date(rows[0].expire) } : null;
  }
  const row = (await payload.db.findOne({ collection: SESSIONS_COLLECTION_SLUG as 'users', where: { sid: { equals: sid } } })) as {
    expiresAt?: string;
  } | null;
  return row ? { expiresAt: new Date(row.expiresAt!) } : null;
}

/** Runs the store's prune now (the default stores prune every 15 minutes on their own). */
export async function pruneNow(app: INestApplication): Promise<void> {
  const store = app.get<SessionRuntime>(SESSION_MIDDLEWARE, { strict: false }).store as Store & {
    prune?: () => Promise<void>;
    pruneSessions?: (done: (error?: unknown) => void) => void;
  };
  if (store.prune) return store.prune();
  await new Promise<void>((resolve, reject) => store.pruneSessions!((error) => (error ? reject(error) : resolve())));
}

/** Disconnects and waits until the client's Engine.IO connection is closed too (a polling client sends a last request). */
export async function closeFully(...sockets: RecordingSocket[]): Promise<void> {
  for (const socket of sockets) socket.close();
  await waitUntil(() => sockets.every((s) => s.socket.io.engine?.readyState === 'closed'), 5000, 'the clients to close');
}

/** A raw Engine.IO websocket handshake (node:http upgrade): its status and headers; the connection is then dropped. */
export function websocketHandshake(baseUrl: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}/socket.io/?EIO=4&transport=websocket`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode!, headers: response.headers });
    });
    request.on('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode!, headers: response.headers });
    });
    request.on('error', reject);
    request.end();
  });
}

/** A raw Engine.IO polling handshake from a given local address: its status and Set-Cookie. */
export function pollingHandshake(baseUrl: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}/socket.io/?EIO=4&transport=polling`, { localAddress, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, cookie: sessionCookieIn([response.headers['set-cookie'] ?? []].flat()), body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A raw Engine.IO websocket handshake (upgrade) from a given local address: its status. */
export function upgradeHandshake(baseUrl: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}/socket.io/?EIO=4&transport=websocket`, {
      localAddress,
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode!);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end();
  });
}

/** A real socket.io-client socket whose connections (both transports) leave from `localAddress`. */
export async function socketFrom(baseUrl: string, localAddress: string, transports: ('polling' | 'websocket')[] = ['websocket']): Promise<RecordingSocket> {
  const agent = new Agent({ localAddress });
  const socket = io(baseUrl, { transports, agent: agent as never, reconnection: false, forceNew: true });
  const recording = new RecordingSocket(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return recording;
}
