import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildConfig, type Payload } from 'payload';
import { Server, type Socket } from 'socket.io';
import { PAYLOAD_INSTANCE, PayloadSocketModule, RealtimeService, SessionIoAdapter, payloadSocketPlugin, type SocketLimits } from '../../src/index.js';
import { serve } from '../lib/ipc.js';
import { aclNotes, feed, handwrittenPosts, hookedNotes, notes, open, plainNotes, posts } from './bench-collections.js';
import { benchUsers, seedUsers } from './bench-users.js';
import { countQueries } from './query-counter.js';
import { controlHandlers } from './server-control.js';

/** argv[2], JSON. */
export interface AppServerOptions {
  folder: string;
  enabled: boolean;
  /**
   * P1's physical limit: the module off, and the same three emits written by hand (an afterChange hook calling a
   * plain Socket.IO server's `io.emit` on the next turn, after the response).
   */
  handwritten?: boolean;
  /** `auth.recheckSeconds` (P3 moves the periodic user re-read out of its query count). */
  recheckSeconds?: number;
  /** The module's `dev` logging (every emit with its recipient count) into the server's log. */
  dev?: boolean;
  /** P5: scale out on this Redis (the module's `redis` option), keys under `redisKeyPrefix`. */
  redis?: string;
  redisKeyPrefix?: string;
  /** A SQLite file of its own choosing instead of `folder/bench.db` (P5: two instances on one database). */
  dbFile?: string;
  /** The module's `limits` (the handshake flood's unprotected reference turns the handshake limit off). */
  limits?: SocketLimits;
}

/**
 * The server under test: a Nest app with PayloadSocketModule.forRoot on a fresh SQLite file, listening on a free
 * port. Enabled: the config carries `payloadSocketPlugin()` as a user's would (its sessions collection keeps
 * sessions in SQLite). Disabled: the same app without the plugin, i.e. plugin-less Payload in the same Nest app.
 */
const options = JSON.parse(process.argv[2]) as AppServerOptions;

const joinRequestedRoom = (socket: Socket): void => {
  const room = socket.handshake.query.room;
  if (typeof room === 'string') void socket.join(room);
};

function appModule(): DynamicModule {
  @Module({})
  class BenchAppModule {}
  return {
    module: BenchAppModule,
    imports: [
      PayloadSocketModule.forRoot({
        enabled: options.enabled,
        dev: options.dev ?? process.env.BENCH_DEV === 'true',
        onConnect: [joinRequestedRoom],
        ...(options.recheckSeconds ? { auth: { recheckSeconds: options.recheckSeconds } } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.redis ? { redis: { url: options.redis, keyPrefix: options.redisKeyPrefix ?? 'nps-bench' } } : {}),
        config: buildConfig({
          secret: 'bench-secret',
          db: sqliteAdapter({ client: { url: `file:${options.dbFile ?? join(options.folder, 'bench.db')}` } }),
          collections: [benchUsers, options.handwritten ? handwrittenPosts(() => io) : posts, feed, open, notes, plainNotes, hookedNotes, aclNotes],
          typescript: { autoGenerate: false },
          telemetry: false,
          plugins: options.enabled ? [payloadSocketPlugin()] : [],
        }),
      }),
    ],
  };
}

let io: Server | undefined;
const app = await NestFactory.create(appModule(), { logger: options.dev || process.env.BENCH_DEV === 'true' ? undefined : ['error', 'warn'] });
app.useWebSocketAdapter(new SessionIoAdapter(app));
if (options.handwritten) {
  io = new Server(app.getHttpServer(), { serveClient: false });
  io.on('connection', joinRequestedRoom);
}
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
const realtime = app.get(RealtimeService);
const payload = app.get<Payload>(PAYLOAD_INSTANCE);
const queries = countQueries((payload.db as unknown as { client: never }).client);

serve(
  {
    ...controlHandlers(() => realtime.namespace?.sockets.size ?? io?.of('/').sockets.size ?? 0),
    /** Resolves once the module has handed every queued emit to Socket.IO. */
    idle: () => realtime.idle(),
    /** SQL statements sent so far. */
    queries: () => queries.count(),
    /** The statements that took the most time so far (which query a profile's libsql time belongs to). */
    topQueries: ({ n = 10 }: { n?: number }) => queries.top(n),
    seedUsers: ({ count }: { count: number }) => seedUsers(payload, count),
    async close(): Promise<void> {
      realtime.namespace?.disconnectSockets(true);
      io?.disconnectSockets(true);
      await app.close();
      setImmediate(() => process.exit(0));
    },
  },
  { url: `http://127.0.0.1:${port}` },
);
