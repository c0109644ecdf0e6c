import 'reflect-metadata';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Payload } from 'payload';
import { createSampleApp } from '../../../sample/app.js';
import { PAYLOAD_INSTANCE, RealtimeService } from '../../../src/index.js';
import { freshDatabase } from '../../support/databases.js';

export interface RunningSample {
  url: string;
  payload: Payload;
  realtime: RealtimeService;
  close(): Promise<void>;
}

/** A free port, so the sample can list its own origin as allowed before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The sample exactly as `npm start` builds it, on a fresh SQLite file; `otherOrigins` may serve its page too. */
export async function startSample(otherOrigins: string[] = []): Promise<RunningSample> {
  const db = await freshDatabase('sqlite');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = await createSampleApp({
    databaseUrl: db.url,
    secret: 'browser-test-secret',
    allowedOrigins: [url, ...otherOrigins],
  });
  await app.listen(port, '127.0.0.1');
  return {
    url,
    payload: app.get<Payload>(PAYLOAD_INSTANCE),
    realtime: app.get(RealtimeService),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
