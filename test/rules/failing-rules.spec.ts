import { Injectable } from '@nestjs/common';
import { SocketAccess } from '../../src/index.js';
import { ALL_LABELS, MEMBERS, TABS, audience, type Audience } from './support/audience.js';
import { unhandledRejections } from './support/unhandled.js';
import { RULE_DATABASES, asSent, delay, openCollection, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { closeAll } from '../support/teardown.js';

/**
 * Done-when 5: a rule that throws, one that rejects, values Socket.IO cannot serialize (BigInt, a circular
 * object), an array instead of targets: the write succeeds and is stored, each failure is logged naming collection, operation and the rule's
 * source, every other rule and target still emits, and nothing becomes an unhandled rejection.
 */
@Injectable()
class FailingRules {
  @SocketAccess('posts', 'create')
  async rejects(): Promise<never> {
    await delay(1);
    throw new Error('rule rejected');
  }

  @SocketAccess('posts', 'create')
  bigint() {
    return { public: { big: 10n }, self: 'after the bigint' };
  }

  @SocketAccess('posts', 'create')
  circular() {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    return { [MEMBERS]: loop };
  }

  @SocketAccess('posts', 'create')
  array() {
    return ['public', 'self'] as never; // not an object of targets: refused, not read as rooms "0" and "1"
  }

  @SocketAccess('posts', 'create')
  fine() {
    return { public: 'still here', self: true };
  }
}

const explodes = () => {
  throw new Error('rule exploded');
};

describe.each(RULE_DATABASES)('failing rules on %s', (kind) => {
  let db: RulesDatabase;
  let t: RulesApp;
  let people: Audience;
  const rejections = unhandledRejections();
  const unhandled = rejections.seen;

  beforeAll(async () => {
    rejections.start();
    db = await rulesDatabase(kind);
    t = await startRulesApp({
      db,
      collections: [openCollection('posts', { custom: { socketAccess: { create: explodes } } })],
      providers: [FailingRules],
    });
    people = await audience(t);
  });

  afterAll(() => closeAll(people, t, db, () => rejections.stop()));

  it('the listener sees an unhandled rejection (so its silence below means something)', async () => {
    expect(await rejections.probe()).toEqual([new Error('probe')]);
    expect(unhandled).toEqual([]);
  });

  it('the write succeeds and is stored; failures are logged with their source; other rules and targets emit', async () => {
    await people.settle();
    people.reset();
    const created = await people.requester.post('/api/posts', { title: 'despite broken rules' });
    expect(created.status).toBe(201);
    expect((await t.payload.findByID({ collection: 'posts', id: created.body.doc.id })).title).toBe('despite broken rules');
    await people.settle();

    for (const label of ALL_LABELS) expect(people.data(label, 'public.posts.create')).toEqual(['still here']);
    for (const label of TABS) expect(people.data(label, 'self.posts.create')).toEqual(['after the bigint', asSent(created.body.doc)]);
    const heard = Object.fromEntries(ALL_LABELS.map((label) => [label, people.sockets[label].names().sort()]));
    for (const label of ALL_LABELS) {
      expect(heard[label]).toEqual(TABS.includes(label) ? ['public.posts.create', 'self.posts.create', 'self.posts.create'] : ['public.posts.create']);
    }

    const errors = t.logger.errors();
    const about = (source: string, detail: RegExp) =>
      errors.filter((line) => line.includes(source) && line.includes('posts') && line.includes('create') && detail.test(line));
    expect(about('posts.custom.socketAccess.create', /rule exploded/)).toHaveLength(1);
    expect(about('FailingRules.rejects', /rule rejected/)).toHaveLength(1);
    expect(about('FailingRules.bigint', /BigInt/)).toHaveLength(1);
    expect(about('FailingRules.circular', /circular|call stack/i)).toHaveLength(1);
    expect(about('FailingRules.array', /array/)).toHaveLength(1);
    expect(errors).toHaveLength(5);
    expect(unhandled).toEqual([]);
  });

  it('the next write emits as usual', async () => {
    people.reset();
    t.logger.lines.splice(0);
    const created = await people.requester.post('/api/posts', { title: 'again' });
    expect(created.status).toBe(201);
    await people.settle();
    for (const label of ALL_LABELS) expect(people.data(label, 'public.posts.create')).toEqual(['still here']);
    expect(t.logger.errors()).toHaveLength(5);
    expect(unhandled).toEqual([]);
  });
});
