import type { SanitizedCollectionConfig, Where } from 'payload';
import type { PlainDoc } from '../../src/access/index.js';
import { decideInMemory } from '../../src/access/provable-where.js';
import { things, users } from './support/collections.js';
import { bootPayload, dbMatches, EN_DE, fullDoc, type Harness } from './support/payload-harness.js';

/**
 * `decideInMemory`'s promise: whenever it answers (true/false) for a stored document, the database gives the same
 * answer; where it cannot be sure, it says `undefined` and the engine asks the database. Checked against SQLite for
 * every (document, Where) pair below, the documents being what the adapter stores (fullDoc).
 */
interface Ids {
  owner: number | string;
  other: number | string;
  docs: Array<number | string>;
}
type Case = [label: string, where: (ids: Ids) => Where];
const and = (...where: Where[]): Where => ({ and: where });
const or = (...where: Where[]): Where => ({ or: where });

/** What it must decide itself: equals/in on id and on top-level single-valued scalars, same JavaScript type. */
const provable: Case[] = [
  ['id equals (this document)', ({ docs }) => ({ id: { equals: docs[0] } })],
  ['id in', ({ docs }) => ({ id: { in: [docs[0], docs[2]] } })],
  ['text equals', () => ({ title: { equals: 'Hello World' } })],
  ['text equals: other case', () => ({ title: { equals: 'hello world' } })],
  ['text equals: trailing space', () => ({ title: { equals: 'Hello World ' } })],
  ['text equals "7" (a padded " 7" is stored too)', () => ({ code: { equals: '7' } })],
  ['text equals " 7"', () => ({ code: { equals: ' 7' } })],
  ['email equals', () => ({ contact: { equals: 'a@x.io' } })],
  ['textarea equals', () => ({ body: { equals: 'text body' } })],
  ['number equals', () => ({ count: { equals: 3 } })],
  ['number equals: fraction', () => ({ count: { equals: 3.5 } })],
  ['number in', () => ({ count: { in: [1, 10] } })],
  ['checkbox equals true', () => ({ flag: { equals: true } })],
  ['checkbox equals false', () => ({ flag: { equals: false } })],
  ['select equals', () => ({ kind: { equals: 'a' } })],
  ['select in', () => ({ kind: { in: ['b', 'c'] } })],
  ['radio equals', () => ({ size: { equals: 'm' } })],
  ['relationship equals (owner scope)', ({ owner }) => ({ owner: { equals: owner } })],
  ['relationship in', ({ owner }) => ({ owner: { in: [owner, 99999] } })],
  ['relationship equals another user', ({ other }) => ({ owner: { equals: other } })],
  ['field in an unnamed row (top-level in the document)', () => ({ inRow: { equals: 'r' } })],
  ['two operators on one field', () => ({ count: { equals: 3, in: [3, 4] } })],
  ['sibling keys are ANDed', () => ({ count: { equals: 3 }, flag: { equals: false } })],
  ['and', ({ owner }) => and({ owner: { equals: owner } }, { kind: { equals: 'a' } })],
  ['or', () => or({ kind: { equals: 'b' } }, { count: { equals: 3 } })],
  ['AND in capitals (Payload lowercases combinators)', () => ({ AND: [{ kind: { equals: 'b' } }] }) as Where],
  ['nested or in and', ({ owner }) => and(or({ kind: { equals: 'c' } }, { owner: { equals: owner } }), { flag: { equals: true } })],
  ['and: false wins over the unprovable', () => and({ title: { like: 'hello' } }, { count: { equals: 999 } })],
  ['or: true wins over the unprovable', ({ docs }) => or({ title: { like: 'hello' } }, { id: { in: docs } })],
];

/** The doubtful classes: only the database can say. */
const doubtful: Array<[cls: string, cases: Case[]]> = [
  [
    'array paths',
    [
      ['array row field', () => ({ 'rows.name': { equals: 'a' } })],
      ['array row field, in', () => ({ 'rows.n': { in: [1, 2] } })],
      ['group path', () => ({ 'group.inner': { equals: 'in' } })],
    ],
  ],
  [
    'hasMany',
    [
      ['hasMany select equals', () => ({ labels: { equals: 'x' } })],
      ['hasMany select in', () => ({ labels: { in: ['x', 'z'] } })],
      ['hasMany text equals', () => ({ words: { equals: 'foo' } })],
      ['hasMany number equals', () => ({ nums: { equals: 1 } })],
      ['hasMany relationship equals', ({ owner }) => ({ owners: { equals: owner } })],
    ],
  ],
  [
    'localized',
    [
      ['localized text equals', () => ({ loc: { equals: 'hi' } })],
      ['localized text in', () => ({ loc: { in: ['hi', 'hallo'] } })],
    ],
  ],
  [
    'cross-type',
    [
      ['number vs string', () => ({ count: { equals: '3' } })],
      ['checkbox vs "true"', () => ({ flag: { equals: 'true' } })],
      ['checkbox vs 1', () => ({ flag: { equals: 1 } })],
      ['relationship vs string id', ({ owner }) => ({ owner: { equals: String(owner) } })],
      ['id vs string id', ({ docs }) => ({ id: { equals: String(docs[0]) } })],
      ['text vs number', () => ({ code: { equals: 7 } })],
      ['in with mixed types', () => ({ count: { in: ['3', '10'] } })],
    ],
  ],
  [
    'null in the query',
    [
      ['equals null', () => ({ title: { equals: null } }) as unknown as Where],
      ['in with null', () => ({ count: { in: [null, 7] } }) as unknown as Where],
      ['id equals null', () => ({ id: { equals: null } }) as unknown as Where],
      ['equals undefined', () => ({ title: { equals: undefined } })],
    ],
  ],
  [
    'dates',
    [
      ['date equals', () => ({ when: { equals: '2024-05-01T10:00:00.000Z' } })],
      ['date equals a Date', () => ({ when: { equals: new Date('2024-05-01T10:00:00.000Z') } }) as unknown as Where],
      ['createdAt in', () => ({ createdAt: { in: ['2024-05-01T10:00:00.000Z'] } })],
    ],
  ],
  [
    'like/contains and other operators',
    [
      ['like', () => ({ title: { like: 'hello' } })],
      ['contains', () => ({ title: { contains: 'World' } })],
      ['not_equals', () => ({ kind: { not_equals: 'a' } })],
      ['not_in', () => ({ kind: { not_in: ['a'] } })],
      ['exists', () => ({ title: { exists: true } })],
      ['greater_than', () => ({ count: { greater_than: 2 } })],
      ['in []', () => ({ count: { in: [] } })],
      ['equals and like on one field', () => ({ title: { equals: 'Hello World', like: 'hello' } })],
    ],
  ],
  [
    'relationship paths with dots',
    [
      ['through a relationship', () => ({ 'owner.role': { equals: 'user' } })],
      ['owner.id', ({ owner }) => ({ 'owner.id': { equals: owner } })],
    ],
  ],
  [
    'polymorphic relationships',
    [
      ['bare id', ({ owner }) => ({ poly: { equals: owner } })],
      ['relationTo/value pair', ({ owner }) => ({ poly: { equals: { relationTo: 'users', value: owner } } }) as unknown as Where],
      ['poly.value', ({ owner }) => ({ 'poly.value': { equals: owner } })],
      ['poly.relationTo', () => ({ 'poly.relationTo': { equals: 'users' } })],
    ],
  ],
  [
    'unknown and virtual fields',
    [
      ['unknown field', () => ({ nope: { equals: 'x' } })],
      ['virtual field', () => ({ shout: { equals: 'HELLO WORLD' } })],
    ],
  ],
  [
    'empty and/or',
    [
      ['empty where', () => ({})],
      // Payload's SQL adapters keep only the last and/or key of one object (drizzle parseParams assigns `result =`):
      ['and and or side by side', () => ({ and: [{ count: { equals: 10 } }], or: [{ kind: { equals: 'a' } }] })],
      ['and: []', () => ({ and: [] })],
      ['or: []', () => ({ or: [] })],
      ['empty operator object', () => ({ title: {} })],
      ['condition that is not an object', () => ({ title: 'Hello World' }) as unknown as Where],
    ],
  ],
];

describe('decideInMemory agrees with the database', () => {
  let h: Harness;
  let config: SanitizedCollectionConfig;
  const docs: PlainDoc[] = [];
  const ids = {} as Ids;

  beforeAll(async () => {
    h = await bootPayload('provable', [users, things], { localization: EN_DE });
    config = h.payload.collections.things.config;
    const mkUser = (email: string) => h.payload.create({ collection: 'users', data: { email, name: email, role: 'user', password: 'pw-123456' } as never });
    ids.owner = (await mkUser('o@x.io')).id;
    ids.other = (await mkUser('p@x.io')).id;
    const data: Array<Record<string, unknown>> = [
      {
        title: 'Hello World',
        code: '7',
        contact: 'a@x.io',
        body: 'text body',
        count: 3,
        flag: true,
        when: '2024-05-01T10:00:00.000Z',
        kind: 'a',
        size: 'm',
        labels: ['x', 'y'],
        words: ['foo', 'bar'],
        nums: [1, 2],
        owner: ids.owner,
        owners: [ids.owner],
        poly: { relationTo: 'users', value: ids.owner },
        loc: 'hi',
        group: { inner: 'in' },
        rows: [{ name: 'a', n: 1 }, { name: 'b', n: 2 }],
        inRow: 'r',
      },
      { title: 'another thing', code: ' 7', count: 10, flag: false, when: '2023-01-01T00:00:00.000Z', kind: 'b', owner: ids.other, labels: [], rows: [] },
      { title: null, count: null, kind: null, owner: null },
    ];
    for (const d of data) {
      const created = await h.payload.create({ collection: 'things', locale: 'en', data: d as never });
      ids.docs = [...(ids.docs ?? []), created.id];
    }
    await h.payload.update({ collection: 'things', id: ids.docs[0], locale: 'de', data: { loc: 'hallo' } as never });
    for (const id of ids.docs) docs.push(await fullDoc(h.payload, 'things', id));
    expect(docs[0].loc).toEqual({ en: 'hi', de: 'hallo' }); // the stored shape, every locale
  });
  afterAll(async () => {
    await h?.close();
  });

  it('whenever it answers, the database gives the same answer', async () => {
    const disagreements: unknown[] = [];
    let decided = 0;
    for (const doc of docs) {
      for (const [label, where] of [...provable, ...doubtful.flatMap(([, cases]) => cases)]) {
        const inMemory = decideInMemory(where(ids), doc, config);
        if (inMemory === undefined) continue;
        decided++;
        const truth = await dbMatches(h.payload, 'things', doc.id as number, where(ids));
        if (truth !== inMemory) disagreements.push({ label, doc: doc.id, where: where(ids), inMemory, truth });
      }
    }
    expect(disagreements).toEqual([]);
    expect(decided).toBeGreaterThanOrEqual(docs.length * provable.length);
  });

  it.each(provable)('decides itself: %s', (_label, where) => {
    for (const doc of docs) expect({ doc: doc.id, decided: typeof decideInMemory(where(ids), doc, config) }).toEqual({ doc: doc.id, decided: 'boolean' });
  });

  it('decides the owner scope both ways, and a null owner as no match', () => {
    const scope = { owner: { equals: ids.owner } };
    expect(docs.map((doc) => decideInMemory(scope, doc, config))).toEqual([true, false, false]);
  });

  // Asked of the document with every field set (a stored null is `false` for any equals/in: `NULL = x` matches
  // nothing on every adapter, which the agreement test above checks on the other documents).
  describe.each(doubtful)('leaves to the database: %s', (_cls, cases) => {
    it.each(cases)('%s', (_label, where) => {
      expect(decideInMemory(where(ids), docs[0], config)).toBeUndefined();
    });
  });

  it('leaves to the database what the stored value does not let it prove', () => {
    const base = docs[0];
    // a populated relationship (not what the adapter stores, but never guessed at)
    expect(decideInMemory({ owner: { equals: ids.owner } }, { ...base, owner: { id: ids.owner } }, config)).toBeUndefined();
    // the key is missing from the document: unknown, not null
    const { kind: _kind, ...withoutKind } = base;
    expect(decideInMemory({ kind: { equals: 'a' } }, withoutKind, config)).toBeUndefined();
    // a number that is not finite
    expect(decideInMemory({ count: { equals: Number.NaN } }, base, config)).toBeUndefined();
    expect(decideInMemory({ count: { equals: 3 } }, { ...base, count: Number.POSITIVE_INFINITY }, config)).toBeUndefined();
    // not a Where at all
    expect(decideInMemory(null as unknown as Where, base, config)).toBeUndefined();
    expect(decideInMemory([] as unknown as Where, base, config)).toBeUndefined();
    expect(decideInMemory({ and: { title: { equals: 'x' } } } as unknown as Where, base, config)).toBeUndefined();
  });
});
