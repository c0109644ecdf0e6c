import { AUTH_SECRET_KEYS, ViewEngine, type AccessErrorHandler, type PlainDoc, type RecipientUser } from '../../src/access/index.js';
import * as collections from './support/collections.js';
import { bootPayload, EN_DE, fullDoc, loginAs, payloadView, recipient, viewOf, wire, type Harness } from './support/payload-harness.js';

/**
 * Every case compares the engine's view — computed from the document as the adapter stores it — with what Payload's
 * own findByID (depth 0, overrideAccess: false, disableErrors) answers the same recipient: its user (with
 * `_strategy`) and locale. The engine must neither leak nor drop a field, nor show a document REST would 404.
 */

type Principal = [name: string, user: RecipientUser | null];

interface Compare {
  /** keys Payload returns that the engine removes on purpose */
  strip?: string[];
  locales?: Array<string | undefined>;
  strategy?: string;
}

/** Boots one Payload and gives the comparison every case of a describe block uses. */
function suite(name: string, list: Array<keyof typeof collections>, localization?: typeof EN_DE) {
  const ctx = {} as {
    h: Harness;
    admin: RecipientUser;
    alice: RecipientUser;
    bob: RecipientUser;
    principals: Principal[];
    errors: Array<{ error: unknown; info: Parameters<AccessErrorHandler>[1] }>;
    onError: AccessErrorHandler;
    engine: () => ViewEngine;
    expectSameAsPayload: (collection: string, id: string | number, options?: Compare) => Promise<Record<string, PlainDoc | null>>;
  };
  ctx.errors = [];
  ctx.onError = (error, info) => ctx.errors.push({ error, info });
  ctx.engine = () => new ViewEngine(ctx.h.payload, { onError: ctx.onError });

  beforeAll(async () => {
    ctx.h = await bootPayload(name, list.map((slug) => collections[slug] as never), { localization });
    const p = ctx.h.payload;
    const mk = (email: string, userName: string, role: string, extra: Record<string, unknown> = {}) =>
      p.create({ collection: 'users', data: { email, name: userName, role, password: 'pw-123456', phone: `+1-${userName}`, ...extra } as never, overrideAccess: true });
    ctx.admin = await loginAs(p, 'users', (await mk('admin@x.io', 'Admin', 'admin')).id);
    ctx.alice = await loginAs(p, 'users', (await mk('alice@x.io', 'Alice', 'user', { enableAPIKey: true, apiKey: 'alice-key-123' })).id);
    ctx.bob = await loginAs(p, 'users', (await mk('bob@x.io', 'Bob', 'user')).id);
    ctx.principals = [['admin', ctx.admin], ['alice', ctx.alice], ['bob', ctx.bob], ['anonymous', null]];
  });
  afterAll(async () => {
    await ctx.h?.close();
  });
  // Well-behaved collections never make the engine report an error (cases that expect one empty the list).
  afterEach(() => {
    const reported = ctx.errors.splice(0).map(({ error, info }) => ({ info, message: (error as Error)?.message }));
    expect(reported).toEqual([]);
  });

  /**
   * Engine views vs Payload's findByID for every principal and locale; each recipient alone (a fresh engine), then
   * all of them in one `views` call (shared decisions and shared pipeline runs must not change any answer). The
   * stored document must come out unedited. Returns the views by `name` or `name@locale`.
   */
  ctx.expectSameAsPayload = async (collection, id, options = {}) => {
    const { strip = [], locales = [undefined], strategy } = options;
    const doc = await fullDoc(ctx.h.payload, collection, id);
    const pristine = structuredClone(doc);
    const recipients = ctx.principals.flatMap(([who, user]) =>
      locales.map((locale) => ({ label: locale ? `${who}@${locale}` : who, recipient: recipient(user, { locale, strategy }) })),
    );
    const expected = new Map<string, unknown>();
    for (const { label, recipient: r } of recipients) {
      const answer = await payloadView(ctx.h.payload, collection, id, r);
      if (answer) for (const key of strip) delete answer[key];
      expected.set(label, wire(answer));
    }
    const out: Record<string, PlainDoc | null> = {};
    for (const { label, recipient: r } of recipients) {
      const view = await viewOf(ctx.engine(), collection, doc, r);
      expect({ who: label, view: wire(view) }).toStrictEqual({ who: label, view: expected.get(label) });
      out[label] = view;
    }
    const together = await ctx.engine().views(collection, [doc], recipients.map((r) => r.recipient));
    for (const { label, recipient: r } of recipients) {
      expect({ who: label, together: wire(together.get(r.key)?.[0]) }).toStrictEqual({ who: label, together: expected.get(label) });
    }
    expect(doc).toStrictEqual(pristine);
    return out;
  };
  return ctx;
}

describe('views equal what Payload lets each recipient read', () => {
  const s = suite('views', [
    'users',
    'posts',
    'notes',
    'reports',
    'tricky',
    'fragile',
    'hooked',
    'masked',
    'bins',
    'feeds',
    'shared',
    'labelled',
    'coded',
    'writers',
    'articles',
    'audited',
  ]);

  it('open collection: everyone, anonymous included, gets the doc without its hidden field', async () => {
    const post = await s.h.payload.create({
      collection: 'posts',
      data: { title: 'Hello', internalNote: 'do not show', author: s.alice.id, tags: ['a', 'b'] } as never,
    });
    const doc = await fullDoc(s.h.payload, 'posts', post.id);
    expect(doc.internalNote).toBe('do not show'); // the input really carries the hidden value
    const views = await s.expectSameAsPayload('posts', post.id);
    for (const view of Object.values(views)) {
      expect(view).not.toBeNull();
      expect(view).not.toHaveProperty('internalNote');
      expect(view!.author).toBe(s.alice.id);
      expect(view!.tags).toEqual(['a', 'b']);
    }
  });

  it('owner-scoped Where with admin-only fields in groups, arrays, blocks, tabs, rows', async () => {
    const note = await s.h.payload.create({
      collection: 'notes',
      overrideAccess: true,
      data: {
        title: 'Alice note',
        secret: 'top',
        owner: s.alice.id,
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
      } as never,
    });
    const views = await s.expectSameAsPayload('notes', note.id);
    expect(views.bob).toBeNull();
    expect(views.anonymous).toBeNull();
    expect(views.admin).toMatchObject({ secret: 'top', meta: { secret: 'group-secret' }, tabSecret: 'unnamed-tab-secret' });
    const leaked = JSON.stringify(views.alice);
    for (const secret of ['top', 'group-secret', 's1', 's2', 'only admins', 'block-secret', 'tab-secret', 'row-secret', 'collapsed-secret', ':42', '"h"']) {
      expect(leaked).not.toContain(secret);
    }
    expect(views.alice).toMatchObject({ title: 'Alice note', meta: { visible: 'v' }, rowOpen: 'row-open' });
  });

  it('role-based boolean access: admins only', async () => {
    const report = await s.h.payload.create({ collection: 'reports', data: { title: 'Q3' } as never });
    const views = await s.expectSameAsPayload('reports', report.id);
    expect(views.admin).not.toBeNull();
    expect([views.alice, views.bob, views.anonymous]).toEqual([null, null, null]);
  });

  it('users collection: no secrets in the view, not even for the user themself', async () => {
    const raw = await fullDoc(s.h.payload, 'users', s.alice.id);
    expect(raw).toHaveProperty('hash'); // the input carries secrets...
    expect(raw).toHaveProperty('salt');
    expect(raw.apiKey).toEqual(expect.any(String));
    // ...and Payload returns the session list to the user themself: that one the engine removes on purpose.
    const self = await payloadView(s.h.payload, 'users', s.alice.id, recipient(s.alice));
    expect(self).toHaveProperty('sessions');
    const views = await s.expectSameAsPayload('users', s.alice.id, { strip: ['sessions'] });
    for (const view of Object.values(views)) {
      if (!view) continue;
      for (const key of AUTH_SECRET_KEYS) expect(view).not.toHaveProperty(key);
      expect(JSON.stringify(view)).not.toContain('alice-key-123');
      expect(JSON.stringify(view)).not.toContain(String(raw.apiKey));
      expect(view.collection).toBe('users');
    }
    expect(views.anonymous).toBeNull();
    expect(views.bob).not.toHaveProperty('phone'); // user-dependent field access on an auth collection
    expect(views.alice).toHaveProperty('phone', '+1-Alice');
    expect(views.admin).toHaveProperty('phone', '+1-Alice');
  });

  it('a deleted document: an owner-scoped Where is decided from the document alone, no query', async () => {
    const note = await s.h.payload.create({ collection: 'notes', overrideAccess: true, data: { title: 'gone', secret: 'x', owner: s.bob.id } as never });
    const doc = await fullDoc(s.h.payload, 'notes', note.id);
    const before: Record<string, unknown> = {};
    for (const [name, user] of s.principals) before[name] = wire(await payloadView(s.h.payload, 'notes', note.id, recipient(user)));
    expect(before.bob).not.toBeNull();
    await s.h.payload.delete({ collection: 'notes', id: note.id });
    s.h.dbCalls.count = 0;
    const engine = s.engine();
    for (const [name, user] of s.principals) {
      const view = await viewOf(engine, 'notes', doc, recipient(user), { deleted: true });
      expect({ name, view: wire(view) }).toStrictEqual({ name, view: before[name] });
    }
    expect(s.h.dbCalls.count).toBe(0);
    expect(engine.stats.queries).toBe(0);
  });

  it('a Where the engine cannot prove costs exactly one query, and equals Payload', async () => {
    const mine = await s.h.payload.create({ collection: 'tricky', data: { title: 'by alice', owner: s.alice.id } as never });
    const admins = await s.h.payload.create({ collection: 'tricky', data: { title: 'by admin', owner: s.admin.id } as never });
    for (const id of [mine.id, admins.id]) {
      const doc = await fullDoc(s.h.payload, 'tricky', id);
      for (const [name, user] of s.principals) {
        const engine = s.engine();
        s.h.dbCalls.count = 0;
        const view = await viewOf(engine, 'tricky', doc, recipient(user));
        const calls = s.h.dbCalls.count;
        const expected = wire(await payloadView(s.h.payload, 'tricky', id, recipient(user)));
        expect({ name, id, view: wire(view) }).toStrictEqual({ name, id, view: expected });
        const queries = user ? 1 : 0; // anonymous is denied by the boolean, no Where
        expect({ name, calls, queries: engine.stats.queries, runs: engine.stats.pipelineRuns }).toStrictEqual({
          name,
          calls: queries,
          queries,
          runs: expected ? 1 : 0,
        });
      }
    }
  });

  it('a Where the engine cannot prove, on a deleted document: denied without querying', async () => {
    const t = await s.h.payload.create({ collection: 'tricky', data: { title: 'soon gone', owner: s.alice.id } as never });
    const doc = await fullDoc(s.h.payload, 'tricky', t.id);
    expect(await payloadView(s.h.payload, 'tricky', t.id, recipient(s.bob))).not.toBeNull(); // readable while it existed
    await s.h.payload.delete({ collection: 'tricky', id: t.id });
    s.h.dbCalls.count = 0;
    expect(await viewOf(s.engine(), 'tricky', doc, recipient(s.bob), { deleted: true })).toBeNull();
    expect(s.h.dbCalls.count).toBe(0);
    // Without the flag the query runs and finds nothing: still denied.
    expect(await viewOf(s.engine(), 'tricky', doc, recipient(s.bob))).toBeNull();
    expect(s.h.dbCalls.count).toBe(1);
  });

  it('throwing access functions deny that recipient and are reported; Payload fails those reads too', async () => {
    const f = await s.h.payload.create({ collection: 'fragile', data: { title: 'f', touchy: 'careful' } as never });
    const doc = await fullDoc(s.h.payload, 'fragile', f.id);
    const views = new Map<string, PlainDoc | null>();
    for (const [name, user] of s.principals) views.set(name, await viewOf(s.engine(), 'fragile', doc, recipient(user)));
    // admin: nothing throws
    expect(wire(views.get('admin'))).toStrictEqual(wire(await payloadView(s.h.payload, 'fragile', f.id, recipient(s.admin))));
    expect(views.get('admin')).toHaveProperty('touchy', 'careful');
    // anonymous: collection access says false
    expect(views.get('anonymous')).toBeNull();
    expect(await payloadView(s.h.payload, 'fragile', f.id, recipient(null))).toBeNull();
    // alice: field access throws; bob: collection access throws — REST answers an error, the engine nothing
    expect(views.get('alice')).toBeNull();
    expect(views.get('bob')).toBeNull();
    await expect(payloadView(s.h.payload, 'fragile', f.id, recipient(s.alice))).rejects.toThrow('boom: field access');
    await expect(payloadView(s.h.payload, 'fragile', f.id, recipient(s.bob))).rejects.toThrow('boom: collection access');
    const reported = s.errors.splice(0);
    expect(reported.map(({ error, info }) => ({ ...info, message: (error as Error).message }))).toEqual([
      { collection: 'fragile', phase: 'read-pipeline', recipient: recipient(s.alice).key, message: 'boom: field access' },
      { collection: 'fragile', phase: 'collection-access', recipient: recipient(s.bob).key, message: 'boom: collection access' },
    ]);
  });

  it('a collection afterRead hook that deletes a field for non-admins', async () => {
    const doc = await s.h.payload.create({ collection: 'hooked', data: { title: 'h', internal: 'staff only' } as never });
    const views = await s.expectSameAsPayload('hooked', doc.id);
    expect(views.admin).toHaveProperty('internal', 'staff only');
    expect(views.alice).not.toHaveProperty('internal');
    expect(views.bob).not.toHaveProperty('internal');
    expect(views.anonymous).toBeNull();
  });

  it('a field afterRead hook that masks a value for everyone but admins and the owner', async () => {
    const doc = await s.h.payload.create({ collection: 'masked', data: { owner: s.alice.id, card: '4111222233334444' } as never });
    const views = await s.expectSameAsPayload('masked', doc.id);
    expect(views.admin?.card).toBe('4111222233334444');
    expect(views.alice?.card).toBe('4111222233334444');
    expect(views.bob?.card).toBe('****4444');
    expect(views.anonymous?.card).toBe('****4444');
  });

  it('trash: a trashed document is null for everyone, as REST 404s it', async () => {
    const kept = await s.h.payload.create({ collection: 'bins', data: { title: 'kept' } as never });
    const binned = await s.h.payload.create({ collection: 'bins', data: { title: 'binned' } as never });
    await s.h.payload.update({ collection: 'bins', id: binned.id, data: { deletedAt: new Date().toISOString() } as never });
    const stored = await fullDoc(s.h.payload, 'bins', binned.id);
    expect(stored.deletedAt).toEqual(expect.any(String)); // trashed, still stored...
    expect(await s.h.payload.findByID({ collection: 'bins', id: binned.id, trash: true, depth: 0 })).toMatchObject({ title: 'binned' });
    const keptViews = await s.expectSameAsPayload('bins', kept.id);
    for (const view of Object.values(keptViews)) expect(view).toMatchObject({ title: 'kept' });
    const binnedViews = await s.expectSameAsPayload('bins', binned.id);
    expect(Object.values(binnedViews)).toEqual([null, null, null, null]);
  });

  it("access reading req.user._strategy: API-key clients see only documents marked for them", async () => {
    const internal = await s.h.payload.create({ collection: 'feeds', data: { title: 'internal', forApi: false } as never });
    const open = await s.h.payload.create({ collection: 'feeds', data: { title: 'for the api', forApi: true } as never });
    const jwt = await s.expectSameAsPayload('feeds', internal.id, { strategy: 'local-jwt' });
    const api = await s.expectSameAsPayload('feeds', internal.id, { strategy: 'api-key' });
    expect(jwt.alice).toMatchObject({ title: 'internal' });
    expect([api.admin, api.alice, api.bob, api.anonymous]).toEqual([null, null, null, null]);
    const apiOpen = await s.expectSameAsPayload('feeds', open.id, { strategy: 'api-key' });
    expect(apiOpen.alice).toMatchObject({ title: 'for the api' });
    // The two strategies of one user are two recipients, judged apart in one call.
    const doc = await fullDoc(s.h.payload, 'feeds', internal.id);
    const both = await s.engine().views('feeds', [doc], [recipient(s.alice, { strategy: 'local-jwt' }), recipient(s.alice, { strategy: 'api-key' })]);
    expect(both.get(recipient(s.alice, { strategy: 'local-jwt' }).key)?.[0]).toMatchObject({ title: 'internal' });
    expect(both.get(recipient(s.alice, { strategy: 'api-key' }).key)?.[0]).toBeNull();
  });

  it('array ACL: both conditions must hold on one row, as the database correlates them', async () => {
    // alice's row says `none`; the `read` row is bob's: the conditions hold, but on different rows
    const apart = await s.h.payload.create({
      collection: 'shared',
      data: { title: 'apart', acl: [{ user: s.alice.id, level: 'none' }, { user: s.bob.id, level: 'read' }] } as never,
    });
    const together = await s.h.payload.create({ collection: 'shared', data: { title: 'together', acl: [{ user: s.alice.id, level: 'write' }] } as never });
    const a = await s.expectSameAsPayload('shared', apart.id);
    expect(a.alice).toBeNull();
    expect(a.bob).toMatchObject({ title: 'apart' });
    expect(a.admin).toBeNull();
    const t = await s.expectSameAsPayload('shared', together.id);
    expect(t.alice).toMatchObject({ title: 'together' });
    expect(t.bob).toBeNull();
    // An array path is never proven in memory: the database is asked.
    const engine = s.engine();
    await viewOf(engine, 'shared', await fullDoc(s.h.payload, 'shared', apart.id), recipient(s.alice));
    expect(engine.stats.queries).toBe(1);
  });

  it('a hasMany select queried with contains', async () => {
    const open = await s.h.payload.create({ collection: 'labelled', data: { title: 'open', labels: ['x', 'public'] } as never });
    const closed = await s.h.payload.create({ collection: 'labelled', data: { title: 'closed', labels: ['internal'] } as never });
    const o = await s.expectSameAsPayload('labelled', open.id);
    for (const view of Object.values(o)) expect(view).toMatchObject({ title: 'open', labels: ['x', 'public'] });
    const c = await s.expectSameAsPayload('labelled', closed.id);
    expect(Object.values(c)).toEqual([null, null, null, null]);
  });

  it('a text field " 7" with access { code: { equals: 7 } }: the database decides, not JavaScript', async () => {
    const padded = await s.h.payload.create({ collection: 'coded', data: { title: 'padded', code: ' 7' } as never });
    const plain = await s.h.payload.create({ collection: 'coded', data: { title: 'plain', code: '7' } as never });
    const p = await s.expectSameAsPayload('coded', padded.id);
    expect(Object.values(p)).toEqual([null, null, null, null]); // ' 7' == 7 in JavaScript; not in the database
    await s.expectSameAsPayload('coded', plain.id);
    const engine = s.engine();
    await viewOf(engine, 'coded', await fullDoc(s.h.payload, 'coded', padded.id), recipient(s.alice));
    expect(engine.stats.queries).toBe(1);
  });

  it('join fields: read with findByID itself, values included', async () => {
    const writer = await s.h.payload.create({ collection: 'writers', data: { name: 'W' } as never });
    for (const title of ['one', 'two']) await s.h.payload.create({ collection: 'articles', data: { title, writer: writer.id } as never });
    const views = await s.expectSameAsPayload('writers', writer.id);
    expect((views.alice?.posts as { docs: unknown[] }).docs).toHaveLength(2);
    expect(views.anonymous).toBeNull();
  });

  it('a collection afterOperation hook that redacts findByID for non-admins (REST runs it)', async () => {
    const doc = await s.h.payload.create({ collection: 'audited', data: { title: 'a', internal: 'redacted for non-admins' } as never });
    const views = await s.expectSameAsPayload('audited', doc.id);
    expect(views.admin).toHaveProperty('internal');
    expect(JSON.stringify(views.alice)).not.toContain('redacted for non-admins');
  });
});

describe('views equal what Payload lets each recipient read, per locale', () => {
  const s = suite('views-locales', ['users', 'pages', 'releases', 'greetings'], EN_DE);
  const locales = [undefined, 'en', 'de', 'all'];

  it('localized group and named localized tab, with field access and a hidden field, in en and de', async () => {
    const p = s.h.payload;
    const both = await p.create({
      collection: 'pages',
      locale: 'en',
      data: {
        title: 'Hello',
        slug: 'hello',
        seo: { metaTitle: 'Meta', metaSecret: 'meta-secret' },
        details: { summary: 'Summary', draftNote: 'draft-note-en', body: 'Body' },
        perLocale: 'admins-en',
      } as never,
    });
    await p.update({ collection: 'pages', id: both.id, locale: 'de', data: { title: 'Hallo', details: { summary: 'Zusammenfassung', draftNote: 'entwurf-de' } } as never });
    const stored = await fullDoc(p, 'pages', both.id);
    expect(stored.title).toEqual({ en: 'Hello', de: 'Hallo' }); // every locale is in the input
    const views = await s.expectSameAsPayload('pages', both.id, { locales });
    expect(views['alice@en']).toMatchObject({ title: 'Hello', details: { summary: 'Summary', body: 'Body' } });
    expect(views['alice@de']).toMatchObject({ title: 'Hallo', details: { summary: 'Zusammenfassung' } });
    expect(views['anonymous@de']?.details).not.toHaveProperty('summary');
    expect(views['admin@de']).toMatchObject({ perLocale: 'admins-en' }); // fallback to en
    for (const [label, view] of Object.entries(views)) {
      const text = JSON.stringify(view);
      expect({ label, hidden: text.includes('draft-note-en') || text.includes('entwurf-de') }).toEqual({ label, hidden: false });
      if (!label.startsWith('admin')) expect({ label, secret: text.includes('meta-secret') || text.includes('admins-en') }).toEqual({ label, secret: false });
    }
    expect(views['admin@all']).toMatchObject({ title: { en: 'Hello', de: 'Hallo' } });

    // Only English: German readers fall back to it, group and tab included.
    const en = await p.create({ collection: 'pages', locale: 'en', data: { title: 'Only', seo: { metaTitle: 'M' }, details: { body: 'B' } } as never });
    const fallback = await s.expectSameAsPayload('pages', en.id, { locales });
    expect(fallback['bob@de']).toMatchObject({ title: 'Only', seo: { metaTitle: 'M' }, details: { body: 'B' } });
  });

  it('access reading req.locale: German readers see only documents released in Germany', async () => {
    const us = await s.h.payload.create({ collection: 'releases', data: { title: 'us only', region: 'us' } as never });
    const de = await s.h.payload.create({ collection: 'releases', data: { title: 'de', region: 'de' } as never });
    const u = await s.expectSameAsPayload('releases', us.id, { locales });
    expect(u['alice@en']).toMatchObject({ title: 'us only' });
    expect(u.alice).toMatchObject({ title: 'us only' }); // no locale asked: the default, en
    expect([u['admin@de'], u['alice@de'], u['anonymous@de']]).toEqual([null, null, null]);
    const d = await s.expectSameAsPayload('releases', de.id, { locales });
    expect(d['bob@de']).toMatchObject({ title: 'de' });
    // `region in [...]` on a top-level select is proven in memory: no query.
    const engine = s.engine();
    const doc = await fullDoc(s.h.payload, 'releases', us.id);
    await engine.views('releases', [doc], s.principals.map(([, user]) => recipient(user, { locale: 'de' })));
    expect(engine.stats.queries).toBe(0);
  });

  it("a Where on a localized field is asked of the database in the recipient's locale", async () => {
    const g = await s.h.payload.create({ collection: 'greetings', locale: 'en', data: { text: 'Hello' } as never });
    await s.h.payload.update({ collection: 'greetings', id: g.id, locale: 'de', data: { text: 'Hallo' } as never });
    const views = await s.expectSameAsPayload('greetings', g.id, { locales });
    expect(views['anonymous@en']).toBeNull();
    expect(views['anonymous@de']).toMatchObject({ text: 'Hallo' });
  });
});
