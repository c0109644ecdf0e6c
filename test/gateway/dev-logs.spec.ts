import { PayloadSocketModule } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, waitUntil } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { type CapturedLogger, closeFully, gatewayConfig, startGatewayApp } from './support.js';

/** `dev: true` logs every connect and disconnect; without it, neither is logged. */
describe.each([true, false])('connection logs with dev: %s', (dev) => {
  let db: TestDatabase;
  let t: TestApp & { logger: CapturedLogger };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({ imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'dev-logs-secret'), dev })] });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it(dev ? 'logs each connect with its transport and each disconnect with its reason' : 'logs neither', async () => {
    const overWebsocket = await connectSocket(t.url, { transports: ['websocket'] });
    const overPolling = await connectSocket(t.url, { transports: ['polling'] });
    const ids = [overWebsocket.socket.id!, overPolling.socket.id!];
    await closeFully(overWebsocket, overPolling);
    await waitUntil(() => t.realtime.namespace!.sockets.size === 0, 5000, 'the server to see both leave');

    const lines = t.logger.messages('log').filter((line) => ids.some((id) => line.includes(id)));
    if (!dev) return expect(lines).toEqual([]);
    expect(lines).toEqual([
      `socket ${ids[0]} connected (websocket)`,
      `socket ${ids[1]} connected (polling)`,
      `socket ${ids[0]} disconnected (client namespace disconnect)`,
      `socket ${ids[1]} disconnected (client namespace disconnect)`,
    ]);
  });
});
