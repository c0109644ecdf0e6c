import { PayloadSocketModule, type PayloadSocketOptions } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import type { RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { gatewayConfig, pollingHandshake, socketFrom, startGatewayApp, upgradeHandshake } from './support.js';

/**
 * Issue 13 (6): about 35 anonymous handshakes a second from one client starved everyone. Handshakes are limited
 * per client address. Loopback has all of 127.0.0.0/8: each client here leaves from its own address.
 */
describe('handshakes per client address', () => {
  let db: TestDatabase;
  let t: TestApp;
  const sockets: RecordingSocket[] = [];
  const start = async (limits?: PayloadSocketOptions['limits']) => {
    t = await startGatewayApp({ imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'handshake-limit'), limits })] });
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    await start();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('refuses a flood from one address with 429 past the burst (default 30), while another address connects', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push(i % 2 ? await upgradeHandshake(t.url, '127.0.0.2') : (await pollingHandshake(t.url, '127.0.0.2')).status);
    expect(statuses.slice(0, 30).every((status) => status === 200 || status === 101)).toBe(true);
    expect(statuses.filter((status, i) => i % 2 === 0 && status === 429).length).toBeGreaterThan(0); // polling
    expect(statuses.filter((status, i) => i % 2 === 1 && status === 429).length).toBeGreaterThan(0); // websocket upgrade
    const refused = await pollingHandshake(t.url, '127.0.0.2');
    expect(refused.status).toBe(429);
    expect(refused.cookie).toBeUndefined(); // refused before the session middleware: no session, no store read

    // Another client is served as usual, over both transports.
    sockets.push(await socketFrom(t.url, '127.0.0.3'), await socketFrom(t.url, '127.0.0.3', ['polling']));
    expect(sockets.every((socket) => socket.socket.connected)).toBe(true);
  });

  it('does not limit the host itself (127.0.0.1: a proxy or health check on the same machine)', async () => {
    for (let i = 0; i < 40; i++) expect((await pollingHandshake(t.url, '127.0.0.1')).status).toBe(200);
  });

  it('limits.handshakesPerMinute: 0 turns it off; handshakeKey chooses the client key', async () => {
    await t.close();
    await start({ handshakesPerMinute: 6, handshakeBurst: 2, handshakeKey: (req) => req.headers['x-client'] as string | undefined });
    const from = (client: string) => pollingHandshake(t.url, '127.0.0.4', { 'x-client': client });
    expect([(await from('a')).status, (await from('a')).status, (await from('a')).status]).toEqual([200, 200, 429]);
    expect((await from('b')).status).toBe(200);
    expect((await pollingHandshake(t.url, '127.0.0.4')).status).toBe(200); // no key: not limited
    await t.close();
    await start({ handshakesPerMinute: 0 });
    for (let i = 0; i < 40; i++) expect((await pollingHandshake(t.url, '127.0.0.5')).status).toBe(200);
  });
});
