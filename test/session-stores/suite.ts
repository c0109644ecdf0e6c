/** The behaviour every session store must show, run against real Payload databases. */
import { randomUUID } from 'node:crypto';
import { configToSchema } from '@payloadcms/graphql';
import { handleEndpoints, type Payload } from 'payload';
import type { SessionStoreHandle, SessionStoreKind } from '../../src/session/stores/create-session-store.js';
import { PayloadSessionStore, SESSIONS_COLLECTION_SLUG } from '../../src/session/stores/payload-session-store.js';
import {
  bootPayload,
  type DbTarget,
  payloadKey,
  rawRow,
  sessionData,
  shutdownPayload,
  sleep,
  storeDestroy,
  storeGet,
  storeSet,
  storeTouch,
  waitFor,
} from './harness.js';

export interface StoreOptions {
  ttlSeconds: number;
  pruneIntervalSeconds?: number;
}

export interface SuiteEnv {
  /** A fresh, empty database (file or PostgreSQL database) and how to remove it. */
  newTarget(): Promise<{ target: DbTarget; cleanup(): Promise<void> }>;
  makeStore(payload: Payload, options: StoreOptions): Promise<SessionStoreHandle>;
  kind: SessionStoreKind;
}

const sid = (): string => `sid-${randomUUID()}`;
const inOneHour = (): Date => new Date(Date.now() + 3600_000);
// Prune intervals are long unless a test is about pruning, so rows stay put while a test inspects them.
const NO_PRUNE: StoreOptions = { ttlSeconds: 3600, pruneIntervalSeconds: 0 };

/** Payload-collection store as a handle (to run it on any adapter, not only where createSessionStore picks it). */
export async function payloadCollectionStore(payload: Payload, options: StoreOptions): Promise<SessionStoreHandle> {
  const store = new PayloadSessionStore(payload, options);
  return { store, kind: 'payload-collection', close: () => store.close() };
}

export function storeSuite(title: string, env: SuiteEnv): void {
  describe(title, () => {
    let target: DbTarget;
    let cleanup: () => Promise<void>;
    let payload: Payload;
    const queries: string[] = [];
    const handles: SessionStoreHandle[] = [];
    const open = async (options: StoreOptions = NO_PRUNE): Promise<SessionStoreHandle> => {
      const handle = await env.makeStore(payload, options);
      handles.push(handle);
      return handle;
    };

    beforeAll(async () => {
      ({ target, cleanup } = await env.newTarget());
      payload = await bootPayload(target, { onQuery: (q) => queries.push(q) });
    });

    afterEach(async () => {
      for (const handle of handles.splice(0)) await handle.close();
    });

    afterAll(async () => {
      for (const handle of handles.splice(0)) await handle.close();
      await shutdownPayload(payload);
      await cleanup?.();
    });

    it(`is the ${env.kind} store`, async () => {
      const handle = await open();
      expect(handle.kind).toBe(env.kind);
    });

    it('sets, gets, updates, touches and destroys a session', async () => {
      const handle = await open();
      const id = sid();
      expect(await storeGet(handle, id)).toBeFalsy();

      const firstExpiry = inOneHour();
      await storeSet(handle, id, sessionData({ user: 'mario', n: 1, nested: { rooms: ['a', 'b'] } }, firstExpiry));
      expect(await storeGet(handle, id)).toEqual(
        sessionData({ user: 'mario', n: 1, nested: { rooms: ['a', 'b'] } }, firstExpiry),
      );

      await storeSet(handle, id, sessionData({ user: 'luigi', n: 2 }, firstExpiry));
      expect(await storeGet(handle, id)).toMatchObject({ user: 'luigi', n: 2 });
      expect(await storeGet(handle, id)).not.toHaveProperty('nested');

      // touch: only the expiry moves; the data given to touch is not stored.
      const laterExpiry = new Date(Date.now() + 2 * 3600_000);
      await storeTouch(handle, id, sessionData({ user: 'wario', n: 3 }, laterExpiry));
      expect(await storeGet(handle, id)).toMatchObject({ user: 'luigi', n: 2 });
      const row = await rawRow(payload, handle.kind, id);
      expect(Math.abs(row!.expiresAt.getTime() - laterExpiry.getTime())).toBeLessThan(1500);

      // touching an unknown session creates nothing
      const unknown = sid();
      await storeTouch(handle, unknown, sessionData({ user: 'x' }, laterExpiry));
      expect(await rawRow(payload, handle.kind, unknown)).toBeNull();

      await storeDestroy(handle, id);
      expect(await storeGet(handle, id)).toBeFalsy();
      expect(await rawRow(payload, handle.kind, id)).toBeNull();
      await storeDestroy(handle, id); // destroying twice is fine
    });

    it('keeps sessions apart and survives concurrent sets of one new session', async () => {
      const handle = await open();
      const a = sid();
      const b = sid();
      await Promise.all([
        storeSet(handle, a, sessionData({ who: 'a' }, inOneHour())),
        storeSet(handle, b, sessionData({ who: 'b' }, inOneHour())),
      ]);
      expect(await storeGet(handle, a)).toMatchObject({ who: 'a' });
      expect(await storeGet(handle, b)).toMatchObject({ who: 'b' });

      const c = sid();
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => storeSet(handle, c, sessionData({ who: 'c', i }, inOneHour()))),
      );
      expect(await storeGet(handle, c)).toMatchObject({ who: 'c' });
    });

    it('reads an expired session as missing, even before it is pruned', async () => {
      const handle = await open(NO_PRUNE);
      const id = sid();
      await storeSet(handle, id, sessionData({ user: 'old' }, new Date(Date.now() - 5000)));
      expect(await storeGet(handle, id)).toBeFalsy();
      expect(await rawRow(payload, handle.kind, id)).not.toBeNull(); // still stored: pruning is off
    });

    it('applies the ttl to cookies without expires and prunes expired rows on the interval', async () => {
      const handle = await open({ ttlSeconds: 1, pruneIntervalSeconds: 0.2 });
      const shortLived = sid();
      const longLived = sid();
      const expiredAlready = sid();
      await storeSet(handle, expiredAlready, sessionData({ user: 'gone' }, new Date(Date.now() - 5000)));
      await storeSet(handle, shortLived, sessionData({ user: 'short' })); // no cookie.expires → ttl (1 s)
      await storeSet(handle, longLived, sessionData({ user: 'long' }, inOneHour()));
      expect(await storeGet(handle, shortLived)).toMatchObject({ user: 'short' });

      await waitFor(async () => !(await storeGet(handle, shortLived)), 4000, 'the ttl session to expire');
      await waitFor(async () => (await rawRow(payload, handle.kind, expiredAlready)) === null, 4000, 'a prune');
      await waitFor(async () => (await rawRow(payload, handle.kind, shortLived)) === null, 4000, 'a prune');
      expect(await storeGet(handle, longLived)).toMatchObject({ user: 'long' });
      expect(await rawRow(payload, handle.kind, longLived)).not.toBeNull();
    });

    it('stops pruning on close()', async () => {
      const handle = await open({ ttlSeconds: 3600, pruneIntervalSeconds: 0.1 });
      const id = sid();
      await storeSet(handle, id, sessionData({ user: 'x' }, inOneHour()));
      await handle.close();
      await storeSet((await open(NO_PRUNE)), id, sessionData({ user: 'x' }, new Date(Date.now() - 1000)));
      await sleep(500);
      expect(await rawRow(payload, env.kind, id)).not.toBeNull(); // the closed store pruned nothing
    });

    it('keeps a session across a full restart of Payload', async () => {
      const before = await open();
      const id = sid();
      const expiry = inOneHour();
      await storeSet(before, id, sessionData({ user: 'peach', cart: [1, 2, 3] }, expiry));
      for (const handle of handles.splice(0)) await handle.close();
      await shutdownPayload(payload);

      payload = await bootPayload(target, { onQuery: (q) => queries.push(q) }); // new key, same database
      const after = await open();
      expect(await storeGet(after, id)).toEqual(sessionData({ user: 'peach', cart: [1, 2, 3] }, expiry));
    });

    it('keeps the sessions collection unreadable through Payload (Local API, REST, GraphQL)', async () => {
      // A real row in the collection, whichever store this suite is about.
      const collectionStore = new PayloadSessionStore(payload, NO_PRUNE);
      handles.push({ store: collectionStore, kind: 'payload-collection', close: () => collectionStore.close() });
      const id = sid();
      await storeSet(
        { store: collectionStore, kind: 'payload-collection', close: async () => undefined },
        id,
        sessionData({ secret: 'only-the-store' }, inOneHour()),
      );
      const collection = SESSIONS_COLLECTION_SLUG as 'users';
      const row = await payload.db.findOne({ collection, where: { sid: { equals: id } } });
      expect(row).toBeTruthy();

      await expect(payload.find({ collection, overrideAccess: false })).rejects.toThrow(/not allowed/i);
      await expect(payload.findByID({ collection, id: row!.id, overrideAccess: false })).rejects.toThrow(
        /not allowed/i,
      );
      await expect(payload.count({ collection, overrideAccess: false })).rejects.toThrow(/not allowed/i);
      await expect(
        payload.update({ collection, id: row!.id, data: {}, overrideAccess: false }),
      ).rejects.toThrow(/not allowed/i);
      await expect(payload.delete({ collection, id: row!.id, overrideAccess: false })).rejects.toThrow(/not allowed/i);
      await expect(
        payload.create({ collection, data: { sid: 'x' } as never, overrideAccess: false }),
      ).rejects.toThrow(/not allowed/i);

      const key = payloadKey(payload);
      for (const [method, path] of [
        ['GET', `/api/${SESSIONS_COLLECTION_SLUG}`],
        ['GET', `/api/${SESSIONS_COLLECTION_SLUG}/${row!.id}`],
        ['GET', `/api/${SESSIONS_COLLECTION_SLUG}?where[sid][equals]=${id}`],
        ['DELETE', `/api/${SESSIONS_COLLECTION_SLUG}/${row!.id}`],
      ] as const) {
        const response = await handleEndpoints({
          config: Promise.resolve(payload.config),
          request: new Request(`http://localhost${path}`, { method }),
          payloadInstanceCacheKey: key,
        });
        const body = await response.text();
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(body).not.toContain('"sid"');
        expect(body).not.toContain('only-the-store');
      }
      expect(await storeGet({ store: collectionStore, kind: 'payload-collection', close: async () => undefined }, id))
        .toMatchObject({ secret: 'only-the-store' });

      const { schema } = configToSchema(payload.config);
      const names = [
        ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
        ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
        ...Object.keys(schema.getTypeMap()),
      ];
      expect(names.filter((n) => /socket.?session/i.test(n))).toEqual([]);
    });

    if (env.kind === 'payload-collection') {
      it('costs one query per get/touch/destroy/update and two for a new session', async () => {
        const handle = await open();
        const id = sid();
        const count = async (fn: () => Promise<unknown>): Promise<number> => {
          queries.length = 0;
          await fn();
          return queries.length;
        };
        expect(await count(() => storeSet(handle, id, sessionData({ n: 1 }, inOneHour())))).toBe(2);
        expect(await count(() => storeSet(handle, id, sessionData({ n: 2 }, inOneHour())))).toBe(1);
        expect(await count(() => storeGet(handle, id))).toBe(1);
        expect(await count(() => storeTouch(handle, id, sessionData({ n: 2 }, inOneHour())))).toBe(1);
        expect(await count(() => storeDestroy(handle, id))).toBe(1);
        expect(await count(() => (handle.store as PayloadSessionStore).prune())).toBe(1);
      });
    }
  });
}
