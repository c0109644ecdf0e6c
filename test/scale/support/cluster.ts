import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { sampleConfig } from '../../../sample/payload.config.js';
import { PostsRules } from '../../../sample/posts.rules.js';
import { RoomsHandler } from '../../../sample/rooms.handler.js';
import { PayloadSocketModule, SessionIoAdapter, type PayloadSocketOptions } from '../../../src/index.js';
import { listen, type TestApp } from '../../support/app.js';
import { SECRET } from './secret.js';
import { HttpClient, waitUntil, type RecordingSocket } from '../../support/clients.js';
import type { TestDatabase } from '../../support/databases.js';
import type { RedisServer } from './redis-server.js';
import { people as securityPeople, socketOf, type Person } from '../../support/security-fixture.js';


export type InstanceOptions = Omit<PayloadSocketOptions, 'config'>;

/** One instance of the sample (its collections, `PostsRules`, `RoomsHandler`) on a shared database, own port. */
export async function startInstance(databaseUrl: string, options: InstanceOptions, logger: LoggerService | LogLevel[] = ['error', 'warn']): Promise<TestApp> {
  const builder = Test.createTestingModule({
    imports: [PayloadSocketModule.forRoot({ config: sampleConfig({ databaseUrl, secret: SECRET }), ...options })],
    providers: [PostsRules, RoomsHandler],
  });
  if (!Array.isArray(logger)) builder.setLogger(logger); // providers (ScaleOut opens Redis) log while compiling
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger });
  app.useWebSocketAdapter(new SessionIoAdapter(app));
  return listen(app);
}

/** Instances one after another: the first pushes the schema, the others find it in place. */
export async function startInstances(count: number, databaseUrl: string, options: InstanceOptions, logger?: LoggerService): Promise<TestApp[]> {
  const apps: TestApp[] = [];
  for (let i = 0; i < count; i++) apps.push(await startInstance(databaseUrl, options, logger));
  return apps;
}

/** The end of a scale suite, in order: clients, instances, Redis, databases (any may be missing if the start failed). */
export async function closeCluster(parts: { sockets?: RecordingSocket[]; apps?: (TestApp | undefined)[]; redis?: RedisServer; dbs?: (TestDatabase | undefined)[] }): Promise<void> {
  for (const socket of parts.sockets ?? []) socket.close();
  for (const t of parts.apps ?? []) await t?.close();
  await parts.redis?.stop();
  for (const db of parts.dbs ?? []) await db?.drop();
}

/** A unique Redis key prefix per suite run. */
export const uniquePrefix = (name: string) => `nps-test:${name}:${process.pid}:${Date.now().toString(36)}`;

/** The same browser session talking to another instance (behind a load balancer, the cookie goes everywhere). */
export function via(person: Person, t: TestApp): HttpClient {
  const http = new HttpClient(t.url);
  for (const [name, value] of person.http.cookies) http.cookies.set(name, value);
  return http;
}

/** The security suites' people, made on instance `t` of the sample app (its page load is `/api/posts`). */
export const people = (t: TestApp) => securityPeople(t, { pageLoad: '/api/posts' });

/** A tab of `person`'s session on instance `t` (session cookie unless `cookie: false`, and the JWT when logged in). */
export const tab = (t: TestApp, person: Person, options: { cookie?: boolean } = {}): Promise<RecordingSocket> => socketOf(t, person, options);

/**
 * Every instance's queued emits have left and each socket has seen a marker sent after them through the adapter
 * from every instance: nothing sent by then through the adapter is still under way. (Access-aware deliveries
 * travel on the cluster bus: wait first for one recipient on each instance, whose emits leave together.)
 */
export async function settleAll(apps: TestApp[], sockets: RecordingSocket[]): Promise<void> {
  for (const t of apps) await t.settle(sockets);
}

/** Same while Redis is down: idle, then a marker through each instance's local sockets only. */
let localBarrier = 0;
export async function settleLocal(apps: TestApp[], sockets: RecordingSocket[]): Promise<void> {
  for (const t of apps) {
    await t.realtime.idle();
    const marker = `local-${++localBarrier}`;
    t.realtime.namespace!.local.emit('__barrier', marker);
    const mine = sockets.filter((s) => t.realtime.namespace!.sockets.has(s.socket.id!));
    await waitUntil(() => mine.every((s) => !s.socket.connected || s.named('__barrier').includes(marker)), 5000, 'the local barrier');
  }
}

/** Forget what each socket received so far. */
export function forget(sockets: RecordingSocket[]): void {
  for (const s of sockets) s.events.length = 0;
}

/** Creates a post through instance `t` as `person` (the title is in the failure message when it is not a 201). */
export async function createPost(person: Person, t: TestApp, title: string): Promise<void> {
  const created = await via(person, t).post('/api/posts', { title });
  expect([title, created.status]).toEqual([title, 201]);
}

/** Titles of the `public.posts.create` events `socket` received that start with `prefix`, in order. */
export const postTitles = (socket: RecordingSocket, prefix: string): string[] =>
  socket.named('public.posts.create').map((d) => (d as { title: string }).title).filter((title) => title.startsWith(prefix));

/** Payloads of `event` whose `title` is `title`. */
export const titled = (socket: RecordingSocket, event: string, title: string) =>
  socket.named(event).filter((data) => (data as { title?: string } | null)?.title === title);

/**
 * Writes probe after probe (every 250 ms) until `heard()` — for "comes back by itself within N s" after a fault,
 * when it is unknown which of the reconnecting connections is last. Throws at the deadline.
 */
export async function probeUntil(deadline: number, what: string, write: (n: number) => Promise<void>, heard: () => boolean): Promise<void> {
  for (let n = 0; !heard(); n++) {
    if (Date.now() > deadline) throw new Error(`${what}: not within the deadline`);
    await write(n);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Whether `socket` received `event` with a title starting with `prefix`. */
export const heardTitle = (socket: RecordingSocket, event: string, prefix: string) =>
  socket.named(event).some((data) => String((data as { title?: string } | null)?.title).startsWith(prefix));
