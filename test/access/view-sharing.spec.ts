import type { Where } from 'payload';
import { ViewEngine, type AccessErrorHandler, type PlainDoc, type Recipient, type RecipientUser, type Views } from '../../src/access/index.js';
import { articles, fragile, hooked, notes, posts, shared, sharelist, tricky, users, writers } from './support/collections.js';
import { bootPayload, EN_DE, fullDoc, loginAs, payloadView, recipient, wire, type Harness } from './support/payload-harness.js';

/**
 * What `ViewEngine.views` costs for many recipients, and what it shares between them: access once per recipient and
 * document, in-memory proofs instead of queries, one query per distinct unprovable Where, one pipeline run per
 * document and locale when the pipeline cannot tell recipients apart, and one object for equal views (the delivery
 * sends one packet per distinct set of view objects). Every view must still be exactly that recipient's findByID.
 */
describe('ViewEngine.views: cost and sharing across recipients', () => {
  let h: Harness;
  let admin: RecipientUser;
  let alice: RecipientUser;
  let bob: RecipientUser;
  /** 50 users: admin, alice, bob and 47 ordinary members */
  let everyone: RecipientUser[];
  let members: RecipientUser[];
  let errors: Array<{ error: unknown; info: Parameters<AccessErrorHandler>[1] }>;
  let engine: ViewEngine;

  beforeAll(async () => {
    h = await bootPayload('sharing', [users, posts, notes, tricky, fragile, hooked, shared, sharelist, writers, articles], { localization: EN_DE });
    const p = h.payload;
    const mk = async (i: string, name: string, role = 'user') =>
      loginAs(p, 'users', (await p.create({ collection: 'users', data: { email: `${i}@x.io`, name, role, password: 'pw-123456', phone: `+${i}` } as never })).id);
    admin = await mk('admin', 'Admin', 'admin');
    alice = await mk('alice', 'Alice');
    bob = await mk('bob', 'Bob');
    members = [];
    for (let i = 0; i < 47; i++) members.push(await mk(`u${i}`, `U${i}`));
    everyone = [admin, alice, bob, ...members];
    expect(everyone).toHaveLength(50);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    errors = [];
    engine = new ViewEngine(h.payload, { onError: (error, info) => errors.push({ error, info }) });
    h.dbCalls.count = 0;
  });
  afterEach(() => {
    expect(errors.map(({ info }) => info)).toEqual([]);
  });

  const recipients = (users: Array<RecipientUser | null>, locale?: string): Recipient[] => users.map((u) => recipient(u, { locale }));

  /** Runs `views` with the harness' call counter reset just before: the stored documents are read first. */
  async function run(collection: string, docs: (PlainDoc | null)[], who: Recipient[], deleted = false): Promise<{ views: Views; dbCalls: number }> {
    h.dbCalls.count = 0;
    const views = await engine.views(collection, docs, who, { deleted });
    return { views, dbCalls: h.dbCalls.count };
  }

  /** Each listed recipient's view is exactly its own findByID. */
  async function expectEqualsPayload(collection: string, ids: Array<string | number>, views: Views, sample: Recipient[], strip: string[] = []) {
    for (const who of sample) {
      for (const [index, id] of ids.entries()) {
        const expected = await payloadView(h.payload, collection, id, who);
        if (expected) for (const key of strip) delete expected[key];
        expect({ who: who.key, id, view: wire(views.get(who.key)?.[index]) }).toStrictEqual({ who: who.key, id, view: wire(expected) });
      }
    }
  }

  /** Recipients whose view of document `index` is not null. */
  const readers = (views: Views, index = 0) => [...views].filter(([, docs]) => docs[index] !== null).map(([key]) => key);

  it('owner-scoped notes, 50 recipients of 50 users: ≤ 50 access evaluations, no query, only the owner and admin read it', async () => {
    const owner = members[7];
    const note = await h.payload.create({ collection: 'notes', overrideAccess: true, data: { title: 'n', secret: 's', owner: owner.id } as never });
    const doc = await fullDoc(h.payload, 'notes', note.id);
    const who = recipients(everyone);
    const { views, dbCalls } = await run('notes', [doc], [...who, ...who]); // the same recipients twice: judged once
    expect(dbCalls).toBe(0);
    expect(engine.stats.queries).toBe(0);
    expect(engine.stats.accessEvaluations).toBeLessThanOrEqual(50);
    expect(engine.stats.whereMatches).toBe(49); // one distinct Where per non-admin, proven in memory
    expect(engine.stats.pipelineRuns).toBe(2); // field access: one run per reader, and only readers
    expect(views.size).toBe(50);
    expect(readers(views).sort()).toEqual([recipient(admin).key, recipient(owner).key].sort());
    expect(views.get(recipient(admin).key)?.[0]).toHaveProperty('secret', 's');
    expect(views.get(recipient(owner).key)?.[0]).not.toHaveProperty('secret');
    await expectEqualsPayload('notes', [note.id], views, recipients([owner, admin, members[0], null]));
  });

  it('a Where the engine cannot prove: one query for every recipient sharing it, whatever the number of documents', async () => {
    const docs: PlainDoc[] = [];
    for (const owner of [alice, admin, members[3]]) {
      const t = await h.payload.create({ collection: 'tricky', data: { title: `by ${owner.name}`, owner: owner.id } as never });
      docs.push(await fullDoc(h.payload, 'tricky', t.id));
    }
    const who = recipients([...everyone, null]);
    const { views, dbCalls } = await run('tricky', docs, who);
    expect(engine.stats.queries).toBe(1);
    expect(dbCalls).toBe(1);
    expect(engine.stats.accessEvaluations).toBe(51 * 3);
    expect(engine.stats.whereMatches).toBe(3); // one Where, tried once per document
    expect(readers(views, 0)).toHaveLength(50); // every logged-in user: the Where is about the owner's role
    expect(readers(views, 1)).toEqual([]); // owned by the admin
    expect(readers(views, 2)).toHaveLength(50);
    await expectEqualsPayload('tricky', docs.map((d) => d.id as number), views, recipients([alice, admin, members[0], null]));
  });

  describe('per-user Wheres the engine cannot prove (a sharing list: acl.user equals me) are asked in groups', () => {
    /** Each `payload.find` the engine makes, by its Where (the recipient Wheres it asks about). */
    let asked: Where[];
    let restore: () => void;
    beforeEach(() => {
      asked = [];
      const original = h.payload.find;
      // The engine's queries are `{ and: [{ id: { in } }, asked] }` with `select: { id: true }` (others: validation).
      h.payload.find = ((args: { where?: Where; select?: Record<string, unknown> }) => {
        if (args.select?.id === true && Array.isArray(args.where?.and)) asked.push((args.where.and as Where[])[1]);
        return original.call(h.payload, args as never);
      }) as typeof original;
      restore = () => {
        h.payload.find = original;
      };
    });
    afterEach(() => restore());

    async function sharedWith(...readers: RecipientUser[]): Promise<PlainDoc> {
      const s = await h.payload.create({ collection: 'shared', data: { title: 'acl', acl: readers.map((u) => ({ user: u.id, level: 'read' })) } as never });
      return fullDoc(h.payload, 'shared', s.id);
    }

    it('none of 50 Wheres matches: one query settles every recipient', async () => {
      const doc = await sharedWith();
      const { views, dbCalls } = await run('shared', [doc], recipients(everyone));
      expect([engine.stats.queries, dbCalls]).toEqual([1, 1]);
      expect(readers(views)).toEqual([]);
    });

    it('one of 50 matches: a few queries (split in halves), and the positive is that Where asked alone', async () => {
      const doc = await sharedWith(members[20]);
      const { views } = await run('shared', [doc], recipients(everyone));
      expect(readers(views)).toEqual([recipient(members[20]).key]);
      expect(engine.stats.queries).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(50)));
      expect(asked).toContainEqual({ and: [{ 'acl.user': { equals: members[20].id } }, { 'acl.level': { in: ['read', 'write'] } }] });
      await expectEqualsPayload('shared', [doc.id as number], views, recipients([members[20], members[19], members[21], admin]));
    });

    it('several documents and readers: every recipient gets its own findByID', async () => {
      const docs = [await sharedWith(alice), await sharedWith(bob, members[1]), await sharedWith(), await sharedWith(alice, members[0])];
      const five = recipients([admin, alice, bob, members[0], members[1]]);
      const { views } = await run('shared', docs, five);
      expect(readers(views, 0)).toEqual([recipient(alice).key]);
      expect(readers(views, 2)).toEqual([]);
      await expectEqualsPayload('shared', docs.map((d) => d.id as number), views, five);
    });

    it('at most 64 Wheres in one query; a Where is asked in its recipient\'s locale', async () => {
      const doc = await sharedWith();
      const strangers = Array.from({ length: 70 }, (_, i) => ({ id: 100_000 + i, collection: 'users', role: 'user', name: `S${i}` }) as RecipientUser);
      await run('shared', [doc], recipients(strangers));
      expect(engine.stats.queries).toBe(2);
      expect(asked.map((w) => (w.or as Where[] | undefined)?.length)).toEqual(expect.arrayContaining([64, 6]));

      engine = new ViewEngine(h.payload);
      await engine.views('shared', [doc], [recipient(alice, { locale: 'en' }), recipient(alice, { locale: 'de' }), recipient(alice)]);
      expect(engine.stats.queries).toBe(2); // en (asked, or the default) and de
    });

    it('a Where with no constraint ({}) asked together with others still reads (REST: every document)', async () => {
      const s = await h.payload.create({ collection: 'sharelist', data: { title: 'nobody', acl: [] } as never });
      const doc = await fullDoc(h.payload, 'sharelist', s.id);
      const who = recipients([admin, members[0]]);
      const { views } = await run('sharelist', [doc], who);
      await expectEqualsPayload('sharelist', [s.id], views, who);
      expect(readers(views)).toEqual([recipient(admin).key]);
    });

    it("a Where the database rejects denies only its own recipient, not the group's", async () => {
      const s = await h.payload.create({ collection: 'sharelist', data: { title: 'alice', acl: [{ user: alice.id }] } as never });
      const doc = await fullDoc(h.payload, 'sharelist', s.id);
      const { views } = await run('sharelist', [doc], recipients([alice, bob]));
      const reported = errors.splice(0).map(({ info }) => info);
      await expect(payloadView(h.payload, 'sharelist', s.id, recipient(bob))).rejects.toThrow(); // REST fails Bob's read...
      expect(wire(await payloadView(h.payload, 'sharelist', s.id, recipient(alice)))).toMatchObject({ title: 'alice' }); // ...not Alice's
      expect(views.get(recipient(bob).key)![0]).toBeNull();
      expect(reported).toContainEqual(expect.objectContaining({ collection: 'sharelist', phase: 'query' }));
      expect(views.get(recipient(alice).key)![0]).toMatchObject({ title: 'alice' });
    });
  });

  it('no request-dependent pipeline: one run per document per locale, one object for all its readers', async () => {
    const docs: PlainDoc[] = [];
    for (const title of ['a', 'b', 'c']) {
      const post = await h.payload.create({ collection: 'posts', data: { title, internalNote: 'hidden', author: admin.id } as never });
      docs.push(await fullDoc(h.payload, 'posts', post.id));
    }
    const who = [...recipients([...everyone, null]), ...recipients([...everyone, null], 'en'), ...recipients([...everyone, null], 'de')];
    const { views, dbCalls } = await run('posts', docs, who);
    expect(dbCalls).toBe(0);
    expect(engine.stats.pipelineRuns).toBe(3 * 2); // no locale asked = the default locale, en
    expect(engine.stats.accessEvaluations).toBe(who.length * 3);
    expect(engine.stats.whereMatches).toBe(0);
    for (let index = 0; index < docs.length; index++) {
      const en = new Set(who.filter((r) => r.locale !== 'de').map((r) => views.get(r.key)![index]));
      const de = new Set(who.filter((r) => r.locale === 'de').map((r) => views.get(r.key)![index]));
      expect([en.size, de.size]).toEqual([1, 1]);
      expect([...en][0]).not.toBe([...de][0]);
      expect([...en][0]).not.toHaveProperty('internalNote');
    }
    await expectEqualsPayload('posts', docs.map((d) => d.id as number), views, [recipient(alice), recipient(null, { locale: 'de' }), recipient(admin, { locale: 'en' })]);
  });

  it('a collection afterRead hook: one run per allowed recipient, and equal views are one object', async () => {
    const docs: PlainDoc[] = [];
    for (const title of ['x', 'y']) {
      const d = await h.payload.create({ collection: 'hooked', data: { title, internal: 'staff only' } as never });
      docs.push(await fullDoc(h.payload, 'hooked', d.id));
    }
    const who = recipients([...everyone, null]);
    const { views } = await run('hooked', docs, who);
    expect(engine.stats.pipelineRuns).toBe(2 * 50); // anonymous is denied before the pipeline
    for (let index = 0; index < docs.length; index++) {
      const nonAdmins = new Set(recipients([alice, bob, ...members]).map((r) => views.get(r.key)![index]));
      expect(nonAdmins.size).toBe(1); // 49 equal views, one object: the delivery sends them one packet
      const [shared] = nonAdmins;
      expect(shared).not.toHaveProperty('internal');
      const adminView = views.get(recipient(admin).key)![index];
      expect(adminView).toHaveProperty('internal', 'staff only');
      expect(adminView).not.toBe(shared);
      expect(views.get(recipient(null).key)![index]).toBeNull();
    }
    expect(views.get(recipient(alice).key)![0]).not.toBe(views.get(recipient(alice).key)![1]);
    await expectEqualsPayload('hooked', docs.map((d) => d.id as number), views, recipients([alice, admin, null]));
  });

  it('per-user field access on users: equal views merged (admin and the user themself), the other 48 share one', async () => {
    const target = members[0];
    const doc = await fullDoc(h.payload, 'users', target.id);
    const who = recipients([...everyone, null]);
    const { views } = await run('users', [doc], who);
    expect(engine.stats.pipelineRuns).toBe(50);
    const byObject = new Map<PlainDoc, string[]>();
    for (const r of who) {
      const view = views.get(r.key)![0];
      if (view) byObject.set(view, [...(byObject.get(view) ?? []), r.key]);
    }
    expect([...byObject.values()].map((keys) => keys.length).sort((a, b) => a - b)).toEqual([2, 48]);
    for (const view of byObject.keys()) expect(JSON.stringify(view)).not.toMatch(/"(hash|salt|sessions|loginAttempts|lockUntil|apiKey)"/);
    expect(views.get(recipient(null).key)![0]).toBeNull();
    await expectEqualsPayload('users', [target.id], views, recipients([target, members[1], admin, null]), ['sessions']);
  });

  it('an access function that throws: that recipient is denied and reported, the others unaffected', async () => {
    const f = await h.payload.create({ collection: 'fragile', data: { title: 'f', touchy: 'fine' } as never });
    const doc = await fullDoc(h.payload, 'fragile', f.id);
    const { views } = await run('fragile', [doc], recipients([...everyone, null]));
    const reported = errors.splice(0).map(({ error, info }) => ({ ...info, message: (error as Error).message }));
    expect(reported).toEqual(
      expect.arrayContaining([
        { collection: 'fragile', phase: 'collection-access', recipient: recipient(bob).key, message: 'boom: collection access' },
        { collection: 'fragile', phase: 'read-pipeline', recipient: recipient(alice).key, message: 'boom: field access' },
      ]),
    );
    expect(reported).toHaveLength(2);
    expect(views.get(recipient(bob).key)![0]).toBeNull();
    expect(views.get(recipient(alice).key)![0]).toBeNull();
    expect(views.get(recipient(null).key)![0]).toBeNull();
    expect(readers(views)).toHaveLength(48);
    await expectEqualsPayload('fragile', [f.id], views, recipients([admin, members[0], null]));
  });

  it('deleted documents: a Where the engine cannot prove denies without a query; a provable one is still decided', async () => {
    const owner = members[9];
    const t = await h.payload.create({ collection: 'tricky', data: { title: 'bye', owner: owner.id } as never });
    const note = await h.payload.create({ collection: 'notes', overrideAccess: true, data: { title: 'bye', owner: owner.id } as never });
    const trickyDoc = await fullDoc(h.payload, 'tricky', t.id);
    const noteDoc = await fullDoc(h.payload, 'notes', note.id);
    const ownerView = wire(await payloadView(h.payload, 'notes', note.id, recipient(owner)));
    expect(await payloadView(h.payload, 'tricky', t.id, recipient(owner))).not.toBeNull(); // readable while it existed
    await h.payload.delete({ collection: 'tricky', id: t.id });
    await h.payload.delete({ collection: 'notes', id: note.id });

    const gone = await run('tricky', [trickyDoc], recipients([...everyone, null]), true);
    expect(readers(gone.views)).toEqual([]);
    expect(gone.dbCalls).toBe(0);
    expect(engine.stats.queries).toBe(0);

    const notesGone = await run('notes', [noteDoc], recipients(everyone), true);
    expect(notesGone.dbCalls).toBe(0);
    expect(readers(notesGone.views).sort()).toEqual([recipient(admin).key, recipient(owner).key].sort());
    expect(wire(notesGone.views.get(recipient(owner).key)![0])).toStrictEqual(ownerView);
  });

  it('missing documents and repeated recipients: null for everyone, judged once', async () => {
    const post = await h.payload.create({ collection: 'posts', data: { title: 'p' } as never });
    const doc = await fullDoc(h.payload, 'posts', post.id);
    const who = recipients([alice, alice, null, null]);
    const { views } = await run('posts', [null, doc, null], who);
    expect(views.size).toBe(2);
    expect(engine.stats.accessEvaluations).toBe(2); // one document, two distinct recipients
    for (const r of who) {
      expect(views.get(r.key)![0]).toBeNull();
      expect(views.get(r.key)![1]).toMatchObject({ title: 'p' });
      expect(views.get(r.key)![2]).toBeNull();
    }
  });

  it('join fields: one findByID per recipient and document (the join values are the database’s)', async () => {
    const ids: number[] = [];
    for (const name of ['W1', 'W2']) {
      const w = await h.payload.create({ collection: 'writers', data: { name } as never });
      await h.payload.create({ collection: 'articles', data: { title: `${name}'s`, writer: w.id } as never });
      ids.push(w.id as number);
    }
    const docs = await Promise.all(ids.map((id) => fullDoc(h.payload, 'writers', id)));
    const who = recipients([admin, alice, null]);
    const { views } = await run('writers', docs, who);
    expect(engine.stats.queries).toBe(3 * 2);
    await expectEqualsPayload('writers', ids, views, who);
  });
});
