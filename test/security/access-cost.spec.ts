import type { TestApp } from '../support/app.js';
import { connectSocket, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { people, startSecurityApp } from '../support/security-fixture.js';
import { checkpoint } from './support/probes.js';
import { recordQueries } from './support/query-recorder.js';

const USERS = 50;
const SOCKETS_PER_USER = 4;

type User = Record<string, unknown> & { id: string | number; collection: string };

/**
 * One owner-scoped document to 200 sockets of 50 users: access is evaluated once per user, the `Where`s are
 * matched in memory, and the database sees nothing but the write itself.
 */
describe('the cost of access-aware delivery', () => {
  let db: TestDatabase;
  let t: TestApp;
  const socketsOf = new Map<string, RecordingSocket[]>(); // by user id
  let admin: User;
  let owner: User;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startSecurityApp(db.url, { auth: { recheckSeconds: 3600 } }); // no re-check inside the window
    const who = await people(t);
    const tokens = new Map<string | number, string>([who.admin, who.owner, who.other].map((p) => [p.id!, p.token!]));
    const more = Array.from({ length: USERS - tokens.size }, (_, i) => `user${i}@test.io`);
    const logins = await Promise.all(
      more.map(async (email) => {
        await t.payload.create({ collection: 'users', data: { email, password: 'pw-user-long', role: 'user' } as never });
        return t.payload.login({ collection: 'users', data: { email, password: 'pw-user-long' } });
      }),
    );
    for (const login of logins) tokens.set(login.user!.id, login.token!);
    await Promise.all(
      [...tokens].map(async ([id, token]) => {
        socketsOf.set(String(id), await Promise.all(Array.from({ length: SOCKETS_PER_USER }, () => connectSocket(t.url, { auth: { token } }))));
      }),
    );
    const find = async (id: unknown) => ({ ...(await t.payload.findByID({ collection: 'users', id: id as string })), collection: 'users' }) as User;
    admin = await find(who.admin.id);
    owner = await find(who.owner.id);
  });

  afterAll(async () => {
    for (const socket of [...socketsOf.values()].flat()) socket.close();
    await t?.close();
    await db?.drop();
  });

  it(`sends one note to ${USERS * SOCKETS_PER_USER} sockets of ${USERS} users with ≤ ${USERS} access evaluations and no extra query`, async () => {
    const all = [...socketsOf.values()].flat();
    expect(all).toHaveLength(USERS * SOCKETS_PER_USER);
    expect(t.realtime.namespace!.sockets.size).toBe(USERS * SOCKETS_PER_USER);

    // The same write with a rule that needs no access check: the queries of the write itself.
    const baselineRecorder = recordQueries(t.payload);
    await t.payload.create({ collection: 'owned', data: { title: 'nobody|built' }, user: owner });
    await t.settle(all);
    const baseline = baselineRecorder.stop();
    expect(baseline).toContain('create:owned');

    const stats = t.realtime.accessStats!;
    const before = { ...stats };
    const since = checkpoint(all);
    const recorder = recordQueries(t.payload);
    const note = await t.payload.create({ collection: 'owned', data: { title: 'public|true' }, user: owner });
    await t.settle(all); // every queued emit has left and reached (or provably not reached) each socket
    const queries = recorder.stop();

    const evaluations = stats.accessEvaluations - before.accessEvaluations;
    console.log(`access cost: ${all.length} sockets, ${USERS} users → ${evaluations} access evaluations, ${stats.whereMatches - before.whereMatches} in-memory Where matches, ${queries.length - baseline.length} extra queries`);
    expect(evaluations).toBeGreaterThan(0);
    expect(evaluations).toBeLessThanOrEqual(USERS);
    expect(stats.queries - before.queries).toBe(0);
    expect(queries).toEqual(baseline);

    for (const [id, sockets] of socketsOf) {
      const reader = id === String(owner.id) || id === String(admin.id);
      for (const socket of sockets) {
        const expected = reader ? [{ event: 'public.owned.create', data: expect.objectContaining({ id: note.id, title: 'public|true' }) }] : [];
        expect({ user: id, received: since(socket) }).toEqual({ user: id, received: expected });
      }
    }
  });

  it('would notice reads made outside the write (control: a user re-check reads every user)', async () => {
    const recorder = recordQueries(t.payload);
    await t.realtime.auth.recheck(t.realtime.namespace!);
    const queries = recorder.stop();
    expect(queries.filter((q) => q.endsWith(':users')).length).toBeGreaterThanOrEqual(USERS);
  });
});
