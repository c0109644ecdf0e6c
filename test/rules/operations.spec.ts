import type { Rule, SocketAccessConfig } from '../../src/index.js';
import { ALL_LABELS, MEMBERS, ROOM_MEMBERS, TABS, audience, expectedReceipts, once, type Audience, type Label } from './support/audience.js';
import { RULE_DATABASES, asSent, openCollection, openUsers, rulesDatabase, startRulesApp, type RulesApp, type RulesDatabase } from './support/harness.js';
import { ALL_OPERATIONS, OPERATION_CASES, REQUESTER } from './support/operations.js';
import { closeAll } from '../support/teardown.js';

/**
 * Done-when 1: each of the ten operations, caused over REST, emits exactly once per target to exactly the intended
 * sockets — `public` to all, `self` to the requester's three tabs only, room `members` to its members only — and
 * nothing else (no event for the internal operations Payload runs meanwhile: JWT lookups, forgotPassword's update).
 * Two rule variants: values built by a function rule (sent as they are), and `true` everywhere (the result; for
 * `public` and rooms it goes through access-aware delivery, here on collections anyone may read).
 */
const VARIANTS: Record<string, (slug: string, operation: string) => Rule> = {
  'function rule with values': (slug, operation) => () => ({
    public: { to: 'public', slug, operation },
    self: true,
    [MEMBERS]: { to: MEMBERS, slug, operation },
  }),
  'object rule with true': () => ({ public: true, self: true, [MEMBERS]: true }),
};

const rulesFor = (slug: string, variant: string): SocketAccessConfig =>
  Object.fromEntries(ALL_OPERATIONS.map((operation) => [operation, VARIANTS[variant](slug, operation)]));

let casesRun = 0;
afterAll(() => console.log(`operations matrix: ${casesRun} cases run`));

describe.each(RULE_DATABASES)('the ten operations on %s', (kind) => {
  describe.each(Object.keys(VARIANTS))('%s', (variant) => {
    let db: RulesDatabase;
    let t: RulesApp;
    let people: Audience;

    beforeAll(async () => {
      db = await rulesDatabase(kind);
      t = await startRulesApp({
        db,
        collections: [
          openUsers({ custom: { socketAccess: rulesFor('users', variant) } }),
          openCollection('posts', { custom: { socketAccess: rulesFor('posts', variant) } }),
        ],
      });
      await t.payload.create({ collection: 'users', data: { ...REQUESTER } });
      people = await audience(t);
    });

    afterAll(() => closeAll(people, t, db));

    it.each(OPERATION_CASES)('$operation emits once per target, to exactly the intended sockets', async (op) => {
      casesRun++;
      const ctx = { payload: t.payload, http: people.requester };
      const id = await op.prepare?.(ctx);
      await people.settle();
      people.reset();
      t.logger.lines.splice(0);

      const response = await op.run(ctx, id);
      expect(response.status).toBe(op.status);
      await people.settle();

      const event = (target: string) => `${target}.${op.slug}.${op.operation}`;
      expect(people.tally(event('public'))).toEqual(once(ALL_LABELS));
      expect(people.tally(event('self'))).toEqual(once(TABS));
      expect(people.tally(event(MEMBERS))).toEqual(once(ROOM_MEMBERS));
      // Nothing else at all: no duplicate, no event for an operation Payload ran for itself.
      expect(people.received()).toEqual(
        expectedReceipts({ [event('public')]: ALL_LABELS, [event('self')]: TABS, [event(MEMBERS)]: ROOM_MEMBERS }),
      );

      const own = people.data('tab1', event('self'))[0];
      if (op.result(response) === null) expect(own).toBeNull();
      else expect(own).toMatchObject(asSent(op.result(response)) as object);
      for (const label of TABS) expect(people.data(label, event('self'))).toEqual([own]);

      if (variant === 'object rule with true') {
        // Open collections: a post reads the same for everyone (a bulk result: its documents only, without the
        // writer's figures); a login/refresh result carries the same user; forgotPassword's result is null for everyone.
        const expected = asSent(op.result(response));
        const receivers: [Label, string][] = [...ALL_LABELS.map((l): [Label, string] => [l, 'public']), ...ROOM_MEMBERS.map((l): [Label, string] => [l, MEMBERS])];
        for (const [label, target] of receivers) {
          const [got] = people.data(label, event(target));
          const docsOnly = own && typeof own === 'object' && 'docs' in own ? { docs: (own as { docs: unknown[] }).docs } : own;
          if (op.slug === 'posts') expect(got).toEqual(docsOnly);
          else if (expected === null) expect(got).toBeNull();
          else expect(got).toMatchObject(expected as object);
        }
      } else {
        const sent = { slug: op.slug, operation: op.operation };
        for (const label of ALL_LABELS) expect(people.data(label, event('public'))).toEqual([{ to: 'public', ...sent }]);
        for (const label of ROOM_MEMBERS) expect(people.data(label, event(MEMBERS))).toEqual([{ to: MEMBERS, ...sent }]);
      }
      expect(t.logger.errors()).toEqual([]);
    });
  });
});
