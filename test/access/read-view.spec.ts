import { AUTH_SECRET_KEYS, readView, type AccessStats, type PlainDoc, type Principal } from '../../src/access/index.js';
import { fragile, notes, posts, reports, tricky, users } from './support/collections.js';
import { bootPayload, fullDoc, loginAs, payloadView, wire, type Harness } from './support/payload-harness.js';

/**
 * Every case compares the engine's view with what Payload's own Local API returns to the same user
 * (findByID, depth 0, overrideAccess: false): the engine must neither leak nor drop a field.
 */
describe('readView equals what Payload lets each user read', () => {
  let h: Harness;
  let admin: NonNullable<Principal>;
  let alice: NonNullable<Principal>;
  let bob: NonNullable<Principal>;
  let principals: Array<[string, Principal]>;
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);

  beforeAll(async () => {
    h = await bootPayload('read-view', [users, posts, notes, reports, tricky, fragile]);
    const p = h.payload;
    const mk = (email: string, name: string, role: string, extra: Record<string, unknown> = {}) =>
      p.create({ collection: 'users', data: { email, name, role, password: 'pw-123456', phone: `+1-${name}`, ...extra }, overrideAccess: true });
    admin = await loginAs(p, 'users', (await mk('admin@x.io', 'Admin', 'admin')).id);
    alice = await loginAs(p, 'users', (await mk('alice@x.io', 'Alice', 'user', { enableAPIKey: true, apiKey: 'alice-key-123' })).id);
    bob = await loginAs(p, 'users', (await mk('bob@x.io', 'Bob', 'user')).id);
    principals = [['admin', admin], ['alice', alice], ['bob', bob], ['anonymous', null]];
  });
  afterAll(async () => {
    await h?.close();
  });
  // Well-behaved collections never make the engine report an error.
  afterEach(() => {
    expect(errors).toEqual([]);
    errors.length = 0;
  });

  /** Engine view vs Payload's findByID, for every principal; returns the views for extra assertions. */
  async function expectSameAsPayload(collection: string, id: string | number, strip: string[] = [], deleted = false) {
    const doc = await fullDoc(h.payload, collection, id);
    const out: Record<string, PlainDoc | null> = {};
    for (const [name, user] of principals) {
      const expected = await payloadView(h.payload, collection, id, user);
      if (expected) for (const key of strip) delete expected[key];
      const view = await readView(h.payload, collection, doc, user, { onError, deleted });
      expect({ who: name, view: wire(view) }).toStrictEqual({ who: name, view: wire(expected) });
      out[name] = view;
    }
    return out;
  }

  it('open collection: everyone, anonymous included, gets the doc without its hidden field', async () => {
    const post = await h.payload.create({
      collection: 'posts',
      data: { title: 'Hello', internalNote: 'do not show', author: alice.id, tags: ['a', 'b'] },
    });
    const doc = await fullDoc(h.payload, 'posts', post.id);
    expect(doc.internalNote).toBe('do not show'); // the input really carries the hidden value
    const views = await expectSameAsPayload('posts', post.id);
    for (const view of Object.values(views)) {
      expect(view).not.toBeNull();
      expect(view).not.toHaveProperty('internalNote');
      expect(view!.author).toBe(alice.id);
    }
  });

  it('reduces a populated relationship to its id (we emit depth 0)', async () => {
    const post = await h.payload.create({ collection: 'posts', data: { title: 'Pop', author: bob.id } });
    const populated = (await h.payload.findByID({ collection: 'posts', id: post.id, depth: 1 })) as unknown as PlainDoc;
    expect(typeof populated.author).toBe('object');
    const view = await readView(h.payload, 'posts', populated, alice, { onError });
    expect(wire(view)).toStrictEqual(wire(await payloadView(h.payload, 'posts', post.id, alice)));
  });

  it('owner-scoped Where with admin-only fields in groups, arrays, blocks, tabs, rows', async () => {
    const note = await h.payload.create({
      collection: 'notes',
      overrideAccess: true,
      data: {
        title: 'Alice note',
        secret: 'top',
        owner: alice.id,
        hiddenScore: 42,
        meta: { visible: 'v', secret: 'group-secret', hiddenInGroup: 'h' },
        items: [{ label: 'one', secret: 's1' }, { label: 'two', secret: 's2' }],
        adminItems: [{ x: 'only admins' }],
        content: [{ blockType: 'quote', text: 'q', secret: 'block-secret' }],
        named: { secret: 'tab-secret', open: 'o' },
        tabSecret: 'unnamed-tab-secret',
        rowSecret: 'row-secret',
        rowOpen: 'row-open',
        collapsedSecret: 'collapsed-secret',
      },
    });
    const views = await expectSameAsPayload('notes', note.id);
    expect(views.bob).toBeNull();
    expect(views.anonymous).toBeNull();
    expect(views.admin).toMatchObject({ secret: 'top', meta: { secret: 'group-secret' }, tabSecret: 'unnamed-tab-secret' });
    const leaked = JSON.stringify(views.alice);
    for (const secret of ['top', 'group-secret', 's1', 's2', 'only admins', 'block-secret', 'tab-secret', 'row-secret', 'collapsed-secret', ':42', '"h"']) {
      expect(leaked).not.toContain(secret);
    }
    expect(views.alice).toMatchObject({ title: 'Alice note', meta: { visible: 'v' }, rowOpen: 'row-open', adminItems: [] });
  });

  it('role-based boolean access: admins only', async () => {
    const report = await h.payload.create({ collection: 'reports', data: { title: 'Q3' } });
    const views = await expectSameAsPayload('reports', report.id);
    expect(views.admin).not.toBeNull();
    expect([views.alice, views.bob, views.anonymous]).toEqual([null, null, null]);
  });

  it('users collection: no secrets in the view, not even for the user themself', async () => {
    const raw = await fullDoc(h.payload, 'users', alice.id);
    expect(raw).toHaveProperty('hash'); // the input carries secrets...
    expect(raw).toHaveProperty('salt');
    // ...and Payload returns the session list to the user themself: that one we remove on purpose.
    const self = await payloadView(h.payload, 'users', alice.id, alice);
    expect(self).toHaveProperty('sessions');
    const views = await expectSameAsPayload('users', alice.id, ['sessions']);
    for (const view of Object.values(views)) {
      if (!view) continue;
      for (const key of AUTH_SECRET_KEYS) expect(view).not.toHaveProperty(key);
      expect(JSON.stringify(view)).not.toContain('alice-key-123');
    }
    expect(views.anonymous).toBeNull();
    expect(views.bob).not.toHaveProperty('phone'); // user-dependent field access on an auth collection
    expect(views.alice).toHaveProperty('phone', '+1-Alice');
  });

  it('a deleted document: decided from the document alone, no query', async () => {
    const note = await h.payload.create({ collection: 'notes', overrideAccess: true, data: { title: 'gone', secret: 'x', owner: bob.id } });
    const doc = await fullDoc(h.payload, 'notes', note.id);
    const before: Record<string, unknown> = {};
    for (const [name, user] of principals) before[name] = wire(await payloadView(h.payload, 'notes', note.id, user));
    await h.payload.delete({ collection: 'notes', id: note.id });
    h.dbCalls.count = 0;
    for (const [name, user] of principals) {
      const view = await readView(h.payload, 'notes', doc, user, { onError, deleted: true });
      expect({ name, view: wire(view) }).toStrictEqual({ name, view: before[name] });
    }
    expect(h.dbCalls.count).toBe(0);
  });

  it('an undecidable Where costs exactly one query, and equals Payload', async () => {
    const mine = await h.payload.create({ collection: 'tricky', data: { title: 'by alice', owner: alice.id } });
    const admins = await h.payload.create({ collection: 'tricky', data: { title: 'by admin', owner: admin.id } });
    for (const id of [mine.id, admins.id]) {
      const doc = await fullDoc(h.payload, 'tricky', id);
      for (const [name, user] of principals) {
        const stats: AccessStats = { accessEvaluations: 0, whereMatches: 0, queries: 0, fieldWalks: 0, fieldAccessCalls: 0 };
        h.dbCalls.count = 0;
        const view = await readView(h.payload, 'tricky', doc, user, { onError, stats });
        const calls = h.dbCalls.count;
        expect(wire(view)).toStrictEqual(wire(await payloadView(h.payload, 'tricky', id, user)));
        const expectedQueries = user ? 1 : 0; // anonymous is denied by the boolean, no Where
        expect({ name, calls, queries: stats.queries }).toStrictEqual({ name, calls: expectedQueries, queries: expectedQueries });
      }
    }
  });

  it('an undecidable Where on a deleted document denies without querying', async () => {
    const t = await h.payload.create({ collection: 'tricky', data: { title: 'soon gone', owner: alice.id } });
    const doc = await fullDoc(h.payload, 'tricky', t.id);
    expect(await payloadView(h.payload, 'tricky', t.id, bob)).not.toBeNull(); // readable while it existed
    await h.payload.delete({ collection: 'tricky', id: t.id });
    h.dbCalls.count = 0;
    expect(await readView(h.payload, 'tricky', doc, bob, { onError, deleted: true })).toBeNull();
    // Without the flag the query runs and finds nothing: still denied.
    expect(await readView(h.payload, 'tricky', doc, bob, { onError })).toBeNull();
    expect(h.dbCalls.count).toBe(1);
  });

  it('a throwing access function denies and is reported', async () => {
    const f = await h.payload.create({ collection: 'fragile', data: { title: 'f', touchy: 'never' } });
    const doc = await fullDoc(h.payload, 'fragile', f.id);
    const reported: Array<{ phase: string; field?: string }> = [];
    const view = await readView(h.payload, 'fragile', doc, alice, { onError: (_e, info) => reported.push(info) });
    expect(wire(view)).toStrictEqual({ id: f.id, title: 'f', createdAt: doc.createdAt, updatedAt: doc.updatedAt });
    expect(await readView(h.payload, 'fragile', doc, bob, { onError: (_e, info) => reported.push(info) })).toBeNull();
    expect(reported).toEqual([
      expect.objectContaining({ phase: 'field-access', field: 'touchy' }),
      expect.objectContaining({ phase: 'collection-access', collection: 'fragile' }),
    ]);
    // Payload itself fails the read for Bob (it throws): the engine must not be more generous.
    await expect(payloadView(h.payload, 'fragile', f.id, bob)).rejects.toThrow('boom');
  });
});
