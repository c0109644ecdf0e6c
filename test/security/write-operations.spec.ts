import { Injectable } from '@nestjs/common';
import { PayloadSocketModule, SocketAccess } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { ACCESS_KINDS, CarelessRooms, people, securityConfig, socketOf, type Person } from '../support/security-fixture.js';
import { checkpoint } from './support/probes.js';

const WRITES = ['updateByID', 'update', 'deleteByID', 'delete'] as const;

/** `public: true` on every write but create (the fixture's create rule routes by title; 'nobody|…' goes nowhere). */
@Injectable()
class WriteRules {
  everyone() {
    return { public: true };
  }
}
const everyone = Object.getOwnPropertyDescriptor(WriteRules.prototype, 'everyone')!;
for (const slug of ACCESS_KINDS) for (const operation of WRITES) SocketAccess(slug, operation)(WriteRules.prototype, 'everyone', everyone);

/**
 * The leak matrix covers create; these are the other writes. Each recipient gets what its own REST GET returns
 * (after an update; just before a delete: "a deleted document is checked as it was"), per document for bulk
 * results, and no event when it may read none of them. The writer may read less than a recipient (the owner
 * cannot read `secret`; the admin can), so a recipient's view must not be cut down to the writer's.
 */
describe('access-aware delivery of updates and deletes', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const sockets = new Map<string, RecordingSocket>();
  let cases = 0;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startApp({ imports: [PayloadSocketModule.forRoot({ config: securityConfig(db.url) })], providers: [CarelessRooms, WriteRules] });
    who = await people(t);
    for (const person of Object.values(who)) sockets.set(person.name, await socketOf(t, person));
  });

  afterAll(async () => {
    console.log(`write operations: ${cases} recipient cases over ${ACCESS_KINDS.length} access kinds × ${WRITES.length} writes`);
    for (const socket of sockets.values()) socket.close();
    await t?.close();
    await db?.drop();
  });

  const jwt = (person: Person) => ({ Authorization: `JWT ${person.token}` });
  const create = async (slug: string, by: Person) => {
    const created = await by.http.post(`/api/${slug}?depth=0`, { title: 'nobody|built', secret: `${by.name}'s secret`, internal: 'hidden' }, jwt(by));
    expect(created.status).toBe(201);
    return created.body.doc.id as number;
  };
  /** Each person's REST view of the documents (depth 0), leaving out those it may not read. */
  const views = async (slug: string, ids: number[]) => {
    const result = new Map<string, unknown[]>();
    for (const person of Object.values(who)) {
      const docs: unknown[] = [];
      for (const id of ids) {
        const response = await new HttpClient(t.url).get(`/api/${slug}/${id}?depth=0`, person.token ? jwt(person) : {});
        if (response.status === 200) docs.push(response.body);
      }
      result.set(person.name, docs);
    }
    return result;
  };
  /** Runs a write; checks every socket got `expected(person)` as the event's documents (none → no event). */
  const expectDelivery = async (event: string, write: () => Promise<{ status: number }>, expected: Map<string, unknown[]> | (() => Promise<Map<string, unknown[]>>), bulk: boolean) => {
    const all = [...sockets.values()];
    const since = checkpoint(all);
    expect((await write()).status).toBe(200);
    await t.settle(all);
    const wanted = typeof expected === 'function' ? await expected() : expected;
    const byId = (docs: unknown[]) => [...docs].sort((a, b) => Number((a as { id: number }).id) - Number((b as { id: number }).id));
    for (const [name, socket] of sockets) {
      cases += 1;
      const docs = wanted.get(name)!;
      const data = bulk ? { docs: byId(docs) } : docs[0]; // only the documents: no writer's figures
      // Bulk results list documents in the query's order: compare them by id.
      const received = since(socket).map((e) => (bulk ? { ...e, data: { ...(e.data as object), docs: byId((e.data as { docs: unknown[] }).docs) } } : e));
      expect({ name, event, received }).toEqual({ name, event, received: docs.length ? [{ event, data }] : [] });
    }
  };

  it.each(ACCESS_KINDS)('%s: updateByID and update (bulk) reach each reader with its own view', async (slug) => {
    const mine = await create(slug, who.owner);
    const admins = await create(slug, who.admin);
    await expectDelivery(`public.${slug}.updateByID`, () => who.owner.http.patch(`/api/${slug}/${mine}?depth=0`, { title: 'nobody|edited' }, jwt(who.owner)), () => views(slug, [mine]), false);
    const where = `where[id][in][0]=${mine}&where[id][in][1]=${admins}`;
    await expectDelivery(`public.${slug}.update`, () => who.admin.http.patch(`/api/${slug}?depth=0&${where}`, { title: 'nobody|bulk' }, jwt(who.admin)), () => views(slug, [mine, admins]), true);
  });

  it.each(ACCESS_KINDS)('%s: deleteByID and delete (bulk) reach each reader with the document as it was', async (slug) => {
    const mine = await create(slug, who.owner);
    const before = await views(slug, [mine]);
    await expectDelivery(`public.${slug}.deleteByID`, () => who.owner.http.delete(`/api/${slug}/${mine}?depth=0`, jwt(who.owner)), before, false);

    const ids = [await create(slug, who.owner), await create(slug, who.admin)];
    const beforeBulk = await views(slug, ids);
    const where = `where[id][in][0]=${ids[0]}&where[id][in][1]=${ids[1]}`;
    await expectDelivery(`public.${slug}.delete`, () => who.admin.http.delete(`/api/${slug}?depth=0&${where}`, jwt(who.admin)), beforeBulk, true);
  });
});
