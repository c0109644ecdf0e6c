import type { Where } from 'payload';
import { matchWhere } from '../../src/access/index.js';
import { things, users } from './support/collections.js';
import { bootPayload, dbMatches, fullDoc, type Harness } from './support/payload-harness.js';

describe('matchWhere (pure)', () => {
  const doc = {
    id: 5,
    title: 'Hello World',
    count: 3,
    flag: true,
    when: '2024-05-01T10:00:00.000Z',
    owner: 7,
    populated: { id: 9, email: 'x@y.z' },
    poly: { relationTo: 'users', value: 4 },
    labels: ['x', 'y'],
    group: { inner: 'in', empty: null },
    rows: [{ id: 'r1', name: 'a' }, { id: 'r2', name: 'b' }],
    nothing: null,
  };
  const cases: Array<[string, Where, boolean | undefined]> = [
    ['equals number/string loosely', { owner: { equals: '7' } }, true],
    ['equals id of a populated relationship', { populated: { equals: 9 } }, true],
    ['owner.id on an unpopulated relationship', { 'owner.id': { equals: 7 } }, true],
    ['not_equals on null is true', { nothing: { not_equals: 'x' } }, true],
    ['equals null', { nothing: { equals: null } }, true],
    ['in', { count: { in: [1, 2, 3] } }, true],
    ['not_in', { count: { not_in: [1, 2] } }, true],
    ['not_in on null is adapter-specific', { nothing: { not_in: [1] } }, undefined],
    ['exists false on null', { nothing: { exists: false } }, true],
    ['exists true', { title: { exists: true } }, true],
    ['greater_than', { count: { greater_than: 2 } }, true],
    ['less_than_equal', { count: { less_than_equal: 2 } }, false],
    ['date compare with a Date', { when: { greater_than: new Date('2024-01-01') } }, true],
    ['like: all words, any case', { title: { like: 'world hel' } }, true],
    ['contains: substring, any case', { title: { contains: 'O WOR' } }, true],
    ['contains: not there', { title: { contains: 'xyz' } }, false],
    ['like with SQL wildcard is left to the DB', { title: { like: 'he%o' } }, undefined],
    ['hasMany in (any element)', { labels: { in: ['y', 'z'] } }, true],
    ['all', { labels: { all: ['x', 'y'] } }, true],
    ['all, one missing', { labels: { all: ['x', 'z'] } }, false],
    ['group path', { 'group.inner': { equals: 'in' } }, true],
    ['array fan-out: some row', { 'rows.name': { equals: 'b' } }, true],
    ['array fan-out: negation is not portable', { 'rows.name': { not_equals: 'b' } }, undefined],
    ['polymorphic pair', { poly: { equals: { relationTo: 'users', value: '4' } } }, true],
    ['polymorphic bare id is adapter-specific', { poly: { equals: 4 } }, undefined],
    ['path through a relationship needs a join', { 'owner.role': { equals: 'admin' } }, undefined],
    ['missing key is unknown, not null', { notInDoc: { not_equals: 'x' } }, undefined],
    ['unknown operator', { title: { near: '1,2' } }, undefined],
    ['and: false wins over unknown', { and: [{ title: { near: 'x' } }, { count: { equals: 1 } }] }, false],
    ['or: true wins over unknown', { or: [{ title: { near: 'x' } }, { count: { equals: 3 } }] }, true],
    ['or: unknown otherwise', { or: [{ title: { near: 'x' } }, { count: { equals: 1 } }] }, undefined],
    ['sibling keys are ANDed', { count: { equals: 3 }, flag: { equals: false } }, false],
    ['boolean vs "true"', { flag: { equals: 'true' } }, true],
    ['empty where matches', {}, true],
  ];
  it.each(cases)('%s', (_name, where, expected) => {
    expect(matchWhere(where, doc)).toBe(expected);
  });
});

/**
 * The matcher's promise: whenever it answers, the database gives the same answer. Checked against SQLite
 * for every (document, Where) pair below; the pairs it must decide (no query) are asserted too.
 */
describe('matchWhere agrees with the database', () => {
  let h: Harness;
  const docs: Array<Record<string, unknown>> = [];
  let ownerId: number | string;

  beforeAll(async () => {
    h = await bootPayload('matcher', [users, things]);
    const owner = await h.payload.create({ collection: 'users', data: { email: 'o@x.io', name: 'O', role: 'user', password: 'pw-123456' } });
    ownerId = owner.id;
    const data = [
      { title: 'Hello World', count: 3, flag: true, when: '2024-05-01T10:00:00.000Z', kind: 'a', labels: ['x', 'y'], owner: owner.id, group: { inner: 'in' }, rows: [{ name: 'a' }, { name: 'b' }] },
      { title: 'another thing', count: 10, flag: false, when: '2023-01-01T00:00:00.000Z', kind: 'b', labels: [], group: {}, rows: [] },
      { title: null, count: null, kind: null },
    ];
    for (const d of data) {
      const created = await h.payload.create({ collection: 'things', data: d as never });
      docs.push(await fullDoc(h.payload, 'things', created.id));
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const wheres = (): Where[] => [
    { owner: { equals: ownerId } },
    { owner: { equals: String(ownerId) } },
    { owner: { not_equals: ownerId } },
    { owner: { exists: true } },
    { owner: { in: [ownerId, 999] } },
    { owner: { not_in: [ownerId] } },
    { count: { greater_than: 5 } },
    { count: { less_than_equal: 3 } },
    { count: { equals: null } },
    { count: { not_equals: 3 } },
    { flag: { equals: true } },
    { flag: { not_equals: true } },
    { when: { greater_than_equal: '2024-01-01T00:00:00.000Z' } },
    { when: { less_than: new Date('2024-01-01T00:00:00.000Z').toISOString() } },
    { title: { like: 'world hello' } },
    { title: { contains: 'THING' } },
    { title: { equals: 'Hello World' } },
    { title: { exists: false } },
    { kind: { in: ['a', 'c'] } },
    { kind: { not_in: ['a'] } },
    { labels: { in: ['y'] } },
    { labels: { contains: 'x' } },
    { 'group.inner': { equals: 'in' } },
    { 'rows.name': { equals: 'b' } },
    { 'rows.name': { in: ['z'] } },
    { or: [{ kind: { equals: 'b' } }, { count: { greater_than: 1 } }] },
    { and: [{ flag: { equals: true } }, { 'owner.role': { equals: 'user' } }] },
    { 'owner.role': { equals: 'user' } },
    { id: { in: [1, 2] } },
  ];

  it('never disagrees, and decides the common cases itself', async () => {
    let decided = 0;
    const disagreements: unknown[] = [];
    for (const doc of docs) {
      for (const where of wheres()) {
        const inMemory = matchWhere(where, doc);
        if (inMemory === undefined) continue;
        decided++;
        const truth = await dbMatches(h.payload, 'things', doc.id as number, where);
        if (truth !== inMemory) disagreements.push({ doc: doc.id, where, inMemory, truth });
      }
    }
    expect(disagreements).toEqual([]);
    // Everything above except the relationship paths (2 per doc) and the negations on array/NULL
    // values must be decided in memory.
    expect(decided).toBeGreaterThanOrEqual(docs.length * (wheres().length - 4));
    for (const doc of docs) expect(matchWhere({ 'owner.role': { equals: 'user' } }, doc)).toBeUndefined();
  });
});
