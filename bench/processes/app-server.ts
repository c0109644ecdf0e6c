import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildConfig } from 'payload';
import type { Socket } from 'socket.io';
import { PayloadSocketModule, RealtimeService, SessionIoAdapter } from '../../src/index.js';
import { serve } from '../lib/ipc.js';
import { benchUsers, feed, open, posts } from './bench-collections.js';
import { controlHandlers } from './server-control.js';

/**
 * The server under test: a Nest app with PayloadSocketModule.forRoot on a fresh SQLite file, listening on a free
 * port. argv: `<folder> <enabled: true|false>`. The config carries no plugin: the module adds it when enabled, so
 * the disabled app is plugin-less Payload served by the same Nest app.
 */
const [folder, enabledArg] = process.argv.slice(2);
const enabled = enabledArg !== 'false';

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
        enabled,
        onConnect: [joinRequestedRoom],
        config: buildConfig({
          secret: 'bench-secret',
          db: sqliteAdapter({ client: { url: `file:${join(folder, 'bench.db')}` } }),
          collections: [benchUsers, posts, feed, open],
          typescript: { autoGenerate: false },
          telemetry: false,
        }),
      }),
    ],
  };
}

const app = await NestFactory.create(appModule(), { logger: ['error', 'warn'] });
app.useWebSocketAdapter(new SessionIoAdapter(app));
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
const realtime = app.get(RealtimeService);

serve(
  {
    ...controlHandlers(() => realtime.namespace?.sockets.size ?? 0),
    /** Resolves once the module has handed every queued emit to Socket.IO. */
    idle: () => realtime.idle(),
    async close(): Promise<void> {
      realtime.namespace?.disconnectSockets(true);
      await app.close();
      setImmediate(() => process.exit(0));
    },
  },
  { url: `http://127.0.0.1:${port}` },
);
