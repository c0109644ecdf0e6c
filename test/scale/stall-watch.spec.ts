import { openRedis, type RedisClients } from '../../src/scale/redis-clients.js';
import { waitUntil } from '../support/clients.js';
import { RedisServer } from './support/redis-server.js';

/**
 * The watch behind `redis-stall.spec`, on its own: a PING unanswered for 5 s means a stalled Redis, but a blocked
 * event loop (a long synchronous task, a long GC pause) must not look like one: the answer is there, just unread.
 */
describe('the Redis stall watch', () => {
  let redis: RedisServer;
  let clients: RedisClients;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    clients = await openRedis({ url: redis.url, keyPrefix: 'nps-test:stall-watch' }, {
      error: (message) => lines.push(`error ${message}`),
      info: (message) => lines.push(`info ${message}`),
    });
  });

  afterAll(async () => {
    redis?.thaw();
    await clients?.close();
    await redis?.stop();
  });

  it('a blocked event loop is not a stall', async () => {
    // The worst moment: the loop blocks for longer than a stall takes right after the watch asked.
    const main = clients.main as unknown as { ping: () => Promise<unknown> };
    const ping = main.ping.bind(main);
    let blocked = false;
    main.ping = () => {
      const answer = ping();
      if (!blocked) {
        blocked = true;
        const until = Date.now() + 6_500;
        while (Date.now() < until) {
          // busy: nothing is read from the socket meanwhile
        }
      }
      return answer;
    };
    await waitUntil(() => blocked, 3_000, 'the watch to ask');
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two more rounds of the watch
    main.ping = ping;
    expect(lines).toEqual([]);
    expect(clients.healthy).toBe(true);
  });

  it('a Redis that does not answer is one, and its answer ends it', async () => {
    redis.freeze();
    await waitUntil(() => lines.length > 0, 8_000, 'the stall to be reported');
    expect(lines).toEqual(['error Redis: no answer for 5 s; emits stay on this instance until it answers']);
    expect(clients.healthy).toBe(false);
    redis.thaw();
    await waitUntil(() => lines.length > 1, 3_000, 'the end of the stall to be reported');
    expect(lines[1]).toMatch(/^info Redis: answering again after \d+ s$/);
    expect(clients.healthy).toBe(true);
  });
});
