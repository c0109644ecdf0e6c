import { Body, Controller, Injectable, Post } from '@nestjs/common';
import type { Payload } from 'payload';
import type { Socket } from 'socket.io';
import { InjectPayload, SocketAccess, actingFor } from '../../src/index.js';
import { ALL_LABELS, MEMBERS, ROOM_MEMBERS, TABS, audience, expectedReceipts, type Audience, type Label } from './support/audience.js';
import { RULE_DATABASES, asSent, delay, openCollection, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { closeAll, whenStarted } from '../support/teardown.js';

/**
 * Done-when 8: several rules for one operation all apply (sync, async, both sources, `this` is the provider);
 * rules that return nothing emit nothing; `self` is the session behind the operation — the HTTP request, a Local
 * API call a controller makes during it, or the socket a Local API call names with `actingFor` — and nobody when
 * there is none (no error).
 */
@Injectable()
class Greeter {
  greet = () => 'from first';
}

@Injectable()
class ManyRules {
  constructor(private readonly greeter: Greeter) {}

  /** Edits the result it is given: runs first; must not change what other rules or `self: true` send. */
  @SocketAccess('posts', 'create')
  vandal(_args: unknown, _req: unknown, result: Record<string, unknown>) {
    result.title = 'vandalised';
    delete result.id;
    return false as const;
  }

  @SocketAccess('posts', 'create')
  first() {
    return { public: this.greeter.greet(), self: true };
  }

  @SocketAccess('posts', 'create')
  async second() {
    await delay(5);
    return { public: 'from second', [MEMBERS]: 'ipsum' };
  }

  @SocketAccess('quiet', 'create') nothing() { return false; }
  @SocketAccess('quiet', 'create') empty() { return null; }
  @SocketAccess('quiet', 'create') missing() { return undefined; }
  @SocketAccess('quiet', 'create') async later() { await delay(1); return null; }
}

@Controller('semantics')
class LocalApiController {
  constructor(@InjectPayload() private readonly payload: Payload) {}

  @Post('posts')
  create(@Body() body: { title: string }) {
    return this.payload.create({ collection: 'posts', data: { title: body.title } });
  }
}

const PUBLIC_VALUES = ['from config', 'from first', 'from second'];

describe.each(RULE_DATABASES)('rule semantics on %s', (kind) => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;
  const serverSocket = (label: Label): Socket => t.realtime.namespace!.sockets.get(people.sockets[label].socket.id!)!;

  beforeAll(async () => {
    db = await rulesDatabase(kind);
    t = await startRulesApp({
      db,
      collections: [
        openCollection('posts', { custom: { socketAccess: { create: { public: 'from config', [MEMBERS]: { id: 7, note: 'has an id' } } } } }),
        openCollection('quiet', { custom: { socketAccess: { create: () => false } } }),
      ],
      providers: [Greeter, ManyRules],
      controllers: [LocalApiController],
    });
    people = await audience(t);
  });

  afterAll(() => closeAll(people, t, db));

  beforeEach(async () => {
    await people.settle();
    people.reset();
    t.logger.lines.splice(0);
  });

  afterEach(whenStarted(() => t, (t) => expect(t.logger.errors()).toEqual([])));

  /** What a create of posts sends besides `self`: three public values, two room values. */
  function expectPublicAndRoom(): void {
    for (const label of ALL_LABELS) expect(people.data(label, 'public.posts.create').sort()).toEqual(PUBLIC_VALUES);
    for (const label of ROOM_MEMBERS) {
      expect(people.data(label, `${MEMBERS}.posts.create`)).toEqual(expect.arrayContaining([{ id: 7, note: 'has an id' }, 'ipsum']));
      expect(people.data(label, `${MEMBERS}.posts.create`)).toHaveLength(2);
    }
  }

  const receipts = (self: Label[]) => {
    const expected = expectedReceipts({ [`self.posts.create`]: self });
    for (const label of ALL_LABELS) expected[label] = [...(expected[label] ?? []), 'public.posts.create', 'public.posts.create', 'public.posts.create'];
    for (const label of ROOM_MEMBERS) expected[label]!.push(`${MEMBERS}.posts.create`, `${MEMBERS}.posts.create`);
    for (const list of Object.values(expected)) list!.sort();
    return expected;
  };

  it('every rule of an operation applies: custom.socketAccess, a sync and an async method (with `this`); a rule editing its result changes nothing else', async () => {
    const created = await people.requester.post('/api/posts', { title: 'many rules' });
    expect(created.status).toBe(201);
    await people.settle();
    expectPublicAndRoom();
    for (const label of TABS) expect(people.data(label, 'self.posts.create')).toEqual([asSent(created.body.doc)]);
    expect(people.received()).toEqual(receipts(TABS));
  });

  it('rules returning false, null or nothing (sync or async) emit nothing at all', async () => {
    expect((await people.requester.post('/api/quiet', { title: 'hush' })).status).toBe(201);
    await t.payload.create({ collection: 'quiet', data: { title: 'hush, locally' } });
    await people.settle();
    expect(people.received()).toEqual({});
  });

  it('a Local API call with no request behind it emits to public and rooms, to no `self`, without error', async () => {
    await t.payload.create({ collection: 'posts', data: { title: 'from a script' } });
    await people.settle();
    expectPublicAndRoom();
    expect(people.received()).toEqual(receipts([]));
  });

  it('a Local API call made by a Nest controller during a request has the requester as `self`', async () => {
    const created = await people.requester.post('/semantics/posts', { title: 'through a controller' });
    expect(created.status).toBe(201);
    await people.settle();
    for (const label of TABS) expect(people.data(label, 'self.posts.create')).toEqual([expect.objectContaining({ title: 'through a controller' })]);
    expect(people.received()).toEqual(receipts(TABS));
  });

  it('context: actingFor(socket) makes every tab of that socket\'s session `self`', async () => {
    await t.payload.create({ collection: 'posts', data: { title: 'for tab 2' }, context: actingFor(serverSocket('tab2')) });
    await people.settle();
    expect(people.received()).toEqual(receipts(TABS));
    for (const label of TABS) expect(people.data(label, 'self.posts.create')).toEqual([expect.objectContaining({ title: 'for tab 2' })]);
  });

  it('actingFor a socket of a cookie-less client reaches that socket only', async () => {
    await t.payload.create({ collection: 'posts', data: { title: 'for anon' }, context: actingFor(serverSocket('anon')) });
    await people.settle();
    expect(people.received()).toEqual(receipts(['anon']));
  });
});

describe.each(RULE_DATABASES)('the eventName and dev options (%s)', (kind) => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;

  beforeAll(async () => {
    db = await rulesDatabase(kind);
    t = await startRulesApp({
      db,
      collections: [openCollection('posts', { custom: { socketAccess: { create: { public: 'renamed', self: true, [MEMBERS]: 'x' } } } })],
      module: { eventName: (target, slug, operation) => `${slug}:${operation}@${target}`, dev: true },
    });
    people = await audience(t);
  });

  afterAll(() => closeAll(people, t, db));

  it('renames every event, and logs one line per emit with its event name, target and recipient count', async () => {
    await people.settle();
    people.reset();
    t.logger.lines.splice(0);
    expect((await people.requester.post('/api/posts', { title: 'renamed' })).status).toBe(201);
    await people.settle();
    expect(people.received()).toEqual(
      expectedReceipts({ 'posts:create@public': ALL_LABELS, 'posts:create@self': TABS, [`posts:create@${MEMBERS}`]: ROOM_MEMBERS }),
    );
    const emitted = t.logger.lines.filter((line) => line.level === 'log' && /posts:create@/.test(line.message)).map((l) => l.message);
    expect(emitted).toHaveLength(3);
    expect(emitted.find((line) => line.includes('posts:create@public'))).toMatch(/public\D*6\b/);
    expect(emitted.find((line) => line.includes('posts:create@self'))).toMatch(/self\D*3\b/);
    expect(emitted.find((line) => line.includes(`posts:create@${MEMBERS}`))).toMatch(new RegExp(`${MEMBERS}\\D*2\\b`));
  });
});
