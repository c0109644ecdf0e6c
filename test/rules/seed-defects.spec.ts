import type { Config, Plugin } from 'payload';
import type { Socket } from 'socket.io';
import { ALL_LABELS, MEMBERS, ROOM_MEMBERS, TABS, audience, expectedReceipts, type Audience } from './support/audience.js';
import { RULE_DATABASES, openCollection, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { closeAll } from '../support/teardown.js';

/**
 * The seed plugin's defects (../shared/notes/anchors.md 1–8), each pinned by a test that fails if it comes back.
 * The app has exactly one collection (1), an object rule before function rules (2), two function rules (3), a room
 * value (4) and room values with an `id` (5); rooms are joined by the `onConnect` option, with no `@OnConnect`
 * provider (6); the user's and a later plugin's `onInit` must both run (8).
 */
const onInitCalls: string[] = [];

/** The seed's `onConnect` option: plain functions. */
const joinFromHandshake = (socket: Socket) => {
  const rooms = (socket.handshake.auth as { rooms?: string[] }).rooms ?? [];
  void socket.join(rooms);
};

const laterPluginWithOnInit: Plugin = (config: Config): Config => ({
  ...config,
  onInit: async (payload) => {
    await config.onInit?.(payload);
    onInitCalls.push('later plugin');
  },
});

describe.each(RULE_DATABASES)('the seed\'s defects stay fixed (%s)', (kind) => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;

  beforeAll(async () => {
    onInitCalls.splice(0);
    db = await rulesDatabase(kind);
    t = await startRulesApp({
      db,
      // (1) exactly one collection in the user's config
      collections: [
        openCollection('posts', {
          custom: {
            socketAccess: {
              // (2) an object rule first, function rules after it; (4) a room value is sent as it is
              create: { public: 'object rule', [MEMBERS]: 'ipsum' },
              // (3) two function rules: each operation still emits once; (5) room data with an `id` is still sent
              updateByID: (_args: unknown, _req: unknown, result: { id: number; title: string }) => ({
                public: 'first function rule',
                [MEMBERS]: { id: result.id, title: result.title },
              }),
              deleteByID: () => ({ public: 'second function rule', self: true, [MEMBERS]: true }),
            },
          },
        }),
      ],
      config: {
        onInit: async (payload) => {
          onInitCalls.push('user');
          await payload.create({ collection: 'posts', data: { title: 'written by onInit' } });
        },
      },
      pluginsAfter: [laterPluginWithOnInit],
      roomJoiner: false,
      module: { onConnect: [joinFromHandshake] }, // (6)
    });
    people = await audience(t);
  });

  afterAll(() => closeAll(people, t, db));

  beforeEach(async () => {
    await people.settle();
    people.reset();
  });

  it('(1)(2)(4) one collection; the object rule emits, its room gets "ipsum"; (6) the onConnect function ran', async () => {
    expect((await people.requester.post('/api/posts', { title: 'one' })).status).toBe(201);
    await people.settle();
    expect(people.received()).toEqual(expectedReceipts({ 'public.posts.create': ALL_LABELS, [`${MEMBERS}.posts.create`]: ROOM_MEMBERS }));
    for (const label of ROOM_MEMBERS) expect(people.data(label, `${MEMBERS}.posts.create`)).toEqual(['ipsum']);
    for (const label of ALL_LABELS) expect(people.data(label, 'public.posts.create')).toEqual(['object rule']);
  });

  it('(2)(3)(5) function rules after an object rule run, once each; room data with an id arrives', async () => {
    const { id } = await t.payload.create({ collection: 'posts', data: { title: 'two' } });
    await people.settle();
    people.reset();
    expect((await people.requester.patch(`/api/posts/${id}`, { title: 'two, edited' })).status).toBe(200);
    await people.settle();
    expect(people.received()).toEqual(expectedReceipts({ 'public.posts.updateByID': ALL_LABELS, [`${MEMBERS}.posts.updateByID`]: ROOM_MEMBERS }));
    for (const label of ROOM_MEMBERS) expect(people.data(label, `${MEMBERS}.posts.updateByID`)).toEqual([{ id, title: 'two, edited' }]);

    people.reset();
    expect((await people.requester.delete(`/api/posts/${id}`)).status).toBe(200);
    await people.settle();
    expect(people.received()).toEqual(
      expectedReceipts({ 'public.posts.deleteByID': ALL_LABELS, 'self.posts.deleteByID': TABS, [`${MEMBERS}.posts.deleteByID`]: ROOM_MEMBERS }),
    );
    // (5) `true` to a room, for a document that has an id: the members get it.
    for (const label of ROOM_MEMBERS) expect(people.data(label, `${MEMBERS}.posts.deleteByID`)).toEqual([expect.objectContaining({ id, title: 'two, edited' })]);
  });

  it('(7) a Local API call without any request or session writes and emits, without error', async () => {
    const doc = await t.payload.create({ collection: 'posts', data: { title: 'no session' } });
    expect((await t.payload.findByID({ collection: 'posts', id: doc.id })).title).toBe('no session');
    await people.settle();
    expect(people.received()).toEqual(expectedReceipts({ 'public.posts.create': ALL_LABELS, [`${MEMBERS}.posts.create`]: ROOM_MEMBERS }));
    expect(t.logger.errors()).toEqual([]);
  });

  it('(8) the user\'s onInit and a later plugin\'s onInit both ran, once', async () => {
    expect(onInitCalls).toEqual(['user', 'later plugin']);
    const written = await t.payload.find({ collection: 'posts', where: { title: { equals: 'written by onInit' } } });
    expect(written.totalDocs).toBe(1);
  });
});

describe('(6)(7) no connect handler and no socket session at all', () => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;

  beforeAll(async () => {
    db = await rulesDatabase('sqlite');
    t = await startRulesApp({
      db,
      collections: [openCollection('posts', { custom: { socketAccess: { create: { public: 'still works', self: true } } } })],
      roomJoiner: false,
      sessionAdapter: false,
    });
    people = await audience(t);
  });

  afterAll(() => closeAll(people, t, db));

  it('rules still emit to public; `self` (sockets without a session) reaches nobody; nothing fails', async () => {
    await people.settle();
    people.reset();
    expect((await people.requester.post('/api/posts', { title: 'x' })).status).toBe(201);
    await people.settle();
    expect(people.received()).toEqual(expectedReceipts({ 'public.posts.create': ALL_LABELS }));
    expect(t.logger.errors()).toEqual([]);
    expect(t.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([expect.stringContaining('SessionIoAdapter')]);
  });
});
