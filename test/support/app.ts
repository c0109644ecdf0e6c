import 'reflect-metadata';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import type { Payload } from 'payload';
import { PAYLOAD_INSTANCE, RealtimeService, SessionIoAdapter } from '../../src/index.js';
import type { RecordingSocket } from './clients.js';
import { waitUntil } from './clients.js';

export interface TestApp {
  app: INestApplication;
  url: string;
  payload: Payload;
  realtime: RealtimeService;
  /**
   * Waits until every queued emit has left and then until each given socket has received a marker sent after
   * them: Socket.IO keeps order per socket, so anything not received by then was never sent to it.
   */
  settle(sockets: RecordingSocket[]): Promise<void>;
  close(): Promise<void>;
}

let barrier = 0;

export async function startApp(metadata: ModuleMetadata, options: { sessionAdapter?: boolean } = {}): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  if (options.sessionAdapter !== false) app.useWebSocketAdapter(new SessionIoAdapter(app));
  return listen(app);
}

export async function listen(app: INestApplication): Promise<TestApp> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const realtime = app.get(RealtimeService);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    payload: app.get<Payload>(PAYLOAD_INSTANCE),
    realtime,
    async settle(sockets) {
      await realtime.idle();
      const marker = ++barrier;
      realtime.namespace?.emit('__barrier', marker);
      await waitUntil(
        () => sockets.every((s) => !s.socket.connected || s.named('__barrier').includes(marker)),
        5000,
        'the barrier event',
      );
    },
    close: () => app.close(),
  };
}
