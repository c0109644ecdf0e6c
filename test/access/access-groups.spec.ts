import { AccessEvaluator, principalKey, type PlainDoc, type Principal, type ViewGroup } from '../../src/access/index.js';
import { notes, posts, reports, tricky, users } from './support/collections.js';
import { bootPayload, fullDoc, loginAs, payloadView, wire, type Harness } from './support/payload-harness.js';

/** The cost saver: per-role cost, and every group's view equal to each member's own Payload read. */
describe('AccessEvaluator.groups', () => {
  let h: Harness;
  let admin: NonNullable<Principal>;
  let members: Array<NonNullable<Principal>>; // 50 ordinary users
  const errors: unknown[] = [];
  let evaluator: AccessEvaluator;

  beforeAll(async () => {
    h = await bootPayload('groups', [users, posts, notes, reports, tricky]);
    const p = h.payload;
    const a = await p.create({ collection: 'users', data: { email: 'admin@x.io', name: 'Admin', role: 'admin', password: 'pw-123456' } });
    admin = await loginAs(p, 'users', a.id);
    members = [];
    for (let i = 0; i < 50; i++) {
      const u = await p.create({ collection: 'users', data: { email: `u${i}@x.io`, name: `U${i}`, role: 'user', password: 'pw-123456' } });
      members.push(await loginAs(p, 'users', u.id));
    }
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    evaluator = new AccessEvaluator(h.payload, { onError: (e) => errors.push(e) });
    h.dbCalls.count = 0;
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });

  /** Each principal of each group must get exactly its own findByID; everyone else must be denied by Payload. */
  async function expectGroupsMatchPayload(collection: string, id: string | number, groups: ViewGroup[], everyone: Principal[]) {
    const grouped = new Map<string, PlainDoc>();
    for (const g of groups) for (const user of g.principals) grouped.set(principalKey(user), g.view);
    for (const user of everyone) {
      const expected = await payloadView(h.payload, collection, id, user);
      const view = grouped.get(principalKey(user)) ?? null;
      expect({ who: principalKey(user), view: wire(view) }).toStrictEqual({ who: principalKey(user), view: wire(expected) });
    }
  }

  /** 200 sockets: each of the 50 users has 4 (tabs/devices). */
  const sockets = (): Principal[] => [0, 1, 2, 3].flatMap(() => members);

  it('one event to 200 sockets of 50 users, owner-scoped: <= 50 access evaluations, no query', async () => {
    const owner = members[7];
    const note = await h.payload.create({ collection: 'notes', overrideAccess: true, data: { title: 'n', secret: 's', owner: owner.id } });
    const doc = await fullDoc(h.payload, 'notes', note.id);
    h.dbCalls.count = 0;
    const groups = await evaluator.groups('notes', doc, sockets());
    expect(h.dbCalls.count).toBe(0);
    expect(evaluator.stats.queries).toBe(0);
    expect(evaluator.stats.accessEvaluations).toBeLessThanOrEqual(50);
    expect(evaluator.stats.fieldWalks).toBe(1); // only the owner's view is built
    expect(groups).toHaveLength(1);
    expect(groups[0].principals).toEqual([owner]);
    await expectGroupsMatchPayload('notes', note.id, groups, members);
  });

  it('mixed audience on notes: admin sees secrets, owner not, others nothing', async () => {
    const owner = members[3];
    const note = await h.payload.create({
      collection: 'notes',
      overrideAccess: true,
      data: { title: 'mixed', secret: 'admins', owner: owner.id, meta: { visible: 'v', secret: 'g' }, items: [{ label: 'l', secret: 'i' }] },
    });
    const doc = await fullDoc(h.payload, 'notes', note.id);
    const everyone = [...sockets(), admin, admin, null, null];
    h.dbCalls.count = 0;
    const groups = await evaluator.groups('notes', doc, everyone);
    expect(evaluator.stats.accessEvaluations).toBe(52); // 50 users + admin + anonymous, once each
    expect(h.dbCalls.count).toBe(0);
    expect(groups.map((g) => g.principals.map(principalKey)).sort()).toEqual([[principalKey(admin)], [principalKey(owner)]].sort());
    await expectGroupsMatchPayload('notes', note.id, groups, [...members, admin, null]);
  });

  it('open collection without field access: one shared view, one field walk for everybody', async () => {
    const post = await h.payload.create({ collection: 'posts', data: { title: 'p', internalNote: 'hidden', author: admin.id } });
    const doc = await fullDoc(h.payload, 'posts', post.id);
    const groups = await evaluator.groups('posts', doc, [...sockets(), admin, null]);
    expect(groups).toHaveLength(1);
    expect(groups[0].principals).toHaveLength(52);
    expect(evaluator.stats.fieldWalks).toBe(1);
    expect(evaluator.stats.whereMatches).toBe(0);
    await expectGroupsMatchPayload('posts', post.id, groups, [...members.slice(0, 5), admin, null]);
  });

  it('role-based boolean: only the admin group', async () => {
    const report = await h.payload.create({ collection: 'reports', data: { title: 'r' } });
    const doc = await fullDoc(h.payload, 'reports', report.id);
    const groups = await evaluator.groups('reports', doc, [...sockets(), admin, null]);
    expect(groups.map((g) => g.principals)).toEqual([[admin]]);
    await expectGroupsMatchPayload('reports', report.id, groups, [...members.slice(0, 5), admin, null]);
  });

  it('users collection: per-user field access splits views, secrets never included', async () => {
    const target = members[0];
    const doc = await fullDoc(h.payload, 'users', target.id);
    const groups = await evaluator.groups('users', doc, [...sockets(), admin, null]);
    // admin and the user themself both see `phone` (equal views are merged); the 49 others share one view
    // without it; anonymous is denied.
    expect(groups.map((g) => g.principals.length).sort((a, b) => a - b)).toEqual([2, 49]);
    expect(evaluator.stats.fieldWalks).toBe(51);
    for (const g of groups) expect(JSON.stringify(g.view)).not.toMatch(/"(hash|salt|sessions|loginAttempts|lockUntil)"/);
    // Payload returns `sessions` to the user themself; the engine never does (contract: no session lists).
    const grouped = new Map(groups.flatMap((g) => g.principals.map((u) => [principalKey(u), g.view] as const)));
    for (const user of [target, members[1], admin, null]) {
      const expected = await payloadView(h.payload, 'users', target.id, user);
      if (expected) delete expected.sessions;
      expect(wire(grouped.get(principalKey(user)) ?? null)).toStrictEqual(wire(expected));
    }
  });

  it('identical undecidable Wheres are decided by one query for the whole group', async () => {
    const t = await h.payload.create({ collection: 'tricky', data: { title: 't', owner: members[0].id } });
    const doc = await fullDoc(h.payload, 'tricky', t.id);
    h.dbCalls.count = 0;
    const groups = await evaluator.groups('tricky', doc, [...sockets(), admin, null]);
    expect(evaluator.stats.queries).toBe(1);
    expect(h.dbCalls.count).toBe(1);
    expect(groups).toHaveLength(1);
    expect(groups[0].principals).toHaveLength(51); // every logged-in user (the Where is about the owner)
    await expectGroupsMatchPayload('tricky', t.id, groups, [...members.slice(0, 5), admin, null]);
  });

  it('a deleted document: owner-scoped access still decided in memory, undecidable denied', async () => {
    const owner = members[9];
    const note = await h.payload.create({ collection: 'notes', overrideAccess: true, data: { title: 'bye', owner: owner.id } });
    const t = await h.payload.create({ collection: 'tricky', data: { title: 'bye', owner: owner.id } });
    const noteDoc = await fullDoc(h.payload, 'notes', note.id);
    const trickyDoc = await fullDoc(h.payload, 'tricky', t.id);
    const ownerView = wire(await payloadView(h.payload, 'notes', note.id, owner));
    await h.payload.delete({ collection: 'notes', id: note.id });
    await h.payload.delete({ collection: 'tricky', id: t.id });
    h.dbCalls.count = 0;
    const noteGroups = await evaluator.groups('notes', noteDoc, [...sockets(), admin], { deleted: true });
    expect(noteGroups.flatMap((g) => g.principals.map(principalKey)).sort()).toEqual([principalKey(owner), principalKey(admin)].sort());
    const ownerGroup = noteGroups.find((g) => g.principals.includes(owner));
    expect(wire(ownerGroup?.view)).toStrictEqual(ownerView);
    expect(await evaluator.groups('tricky', trickyDoc, [...sockets(), admin, null], { deleted: true })).toEqual([]);
    expect(h.dbCalls.count).toBe(0);
  });
});
