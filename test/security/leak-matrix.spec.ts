import { stripSecrets } from '../../src/emitting/strip-secrets.js';
import type { TestApp } from '../support/app.js';
import { HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { ACCESS_KINDS, people, socketOf, startSecurityApp, type Person } from '../support/security-fixture.js';

/**
 * Targets × values × access kinds × recipients: every socket receives exactly what its own REST GET (depth 0)
 * returns — or, for a value the rule built, that value — and nothing else.
 */
describe('leak matrix', () => {
  let db: TestDatabase;
  let t: TestApp;
  let who: Awaited<ReturnType<typeof people>>;
  const sockets = new Map<string, RecordingSocket>();
  let outsider: RecordingSocket; // anonymous, never in the room: gets public only

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url);
    who = await people(t);
    for (const person of Object.values(who)) {
      const socket = await socketOf(t, person);
      await socket.emitWithAck('join', 'watchers');
      sockets.set(person.name, socket);
    }
    outsider = await socketOf(t, { name: 'outsider', http: new HttpClient(t.url) });
  });

  afterAll(async () => {
    for (const socket of [...sockets.values(), outsider]) socket?.close();
    await t?.close();
    await db?.drop();
  });

  const expectedGet = async (person: Person, slug: string, id: unknown): Promise<unknown> => {
    const headers: Record<string, string> = person.token ? { Authorization: `JWT ${person.token}` } : {};
    const response = await new HttpClient(t.url).get(`/api/${slug}/${id}?depth=0`, headers);
    return response.status === 200 ? response.body : undefined;
  };

  it('delivers to every recipient exactly what it may read, for every case', async () => {
    let cases = 0;
    for (const slug of ACCESS_KINDS) {
      for (const target of ['public', 'watchers', 'self']) {
        for (const value of ['true', 'built']) {
          const title = `${target}|${value}`;
          const all = [...sockets.values(), outsider];
          const before = new Map(all.map((s) => [s, s.events.length]));
          const created = await who.owner.http.post(`/api/${slug}?depth=0`, { title }, { Authorization: `JWT ${who.owner.token}` });
          expect(created.status).toBe(201);
          const id = created.body.doc.id;
          await t.settle(all);
          const event = `${target}.${slug}.create`;
          for (const [name, socket] of [...sockets.entries(), ['outsider', outsider] as const]) {
            cases += 1;
            const received = socket.events.slice(before.get(socket)).filter((e) => !e.event.startsWith('__'));
            const person = name === 'outsider' ? who.anonymous : who[name as keyof typeof who];
            const inTarget = target === 'public' || (target === 'watchers' && name !== 'outsider') || (target === 'self' && name === 'owner');
            let expected: unknown;
            if (!inTarget) expected = undefined;
            else if (value === 'built') expected = { built: title };
            else if (target === 'self') expected = stripSecrets(created.body.doc);
            else expected = await expectedGet(person, slug, id);
            const label = `${slug} ${title} → ${name}`;
            if (expected === undefined) expect({ label, received }).toEqual({ label, received: [] });
            else expect({ label, received }).toEqual({ label, received: [{ event, data: expected }] });
          }
        }
      }
    }
    console.log(`leak matrix: ${cases} recipient cases over ${ACCESS_KINDS.length} access kinds × 3 targets × 2 values`);
    expect(cases).toBe(ACCESS_KINDS.length * 3 * 2 * 5);
  });
});
