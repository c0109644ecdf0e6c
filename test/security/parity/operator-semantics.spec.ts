import type { Field } from 'payload';
import { DATABASE_KINDS } from '../../support/databases.js';
import { adminOr, createdId, expectParity, restAs, scene, writable } from './support/parity.js';

/**
 * Class 4 of issue 12: a `Where` from read access means what the database makes of it, not what JavaScript
 * would. Each collection below lets non-admins read what one operator matches; the document is one where the
 * two answers differ, so REST refuses every non-admin (404; 500 where the adapter cannot run the operator) and
 * no non-admin socket may get it.
 */
const byOperator = (slug: string, field: Field, where: Record<string, unknown>) =>
  writable(slug, [{ name: 'title', type: 'text' }, field], adminOr(() => where as never), ['create']);

interface Case {
  what: string;
  slug: string;
  field: Field;
  where: Record<string, unknown>;
  value: unknown;
  /** REST's answer to non-admins (default 404). */
  refused?: number;
  /** The database the difference exists on (default: both). */
  only?: 'sqlite' | 'postgres';
}

const cases: Case[] = [
  {
    what: '`contains` on a hasMany select matches an element, not a substring of one',
    slug: 'tagged',
    field: { name: 'tags', type: 'select', hasMany: true, options: ['red', 'reddish', 'blue'] },
    where: { tags: { contains: 'red' } },
    value: ['reddish', 'blue'],
  },
  {
    what: 'a text field equals a number only as the same text (" 7" is not 7)',
    slug: 'codes',
    field: { name: 'code', type: 'text' },
    where: { code: { equals: 7 } },
    value: ' 7',
  },
  {
    what: 'a text field is `in` numbers only as the same text ("07" is not in [7])',
    slug: 'zips',
    field: { name: 'code', type: 'text' },
    where: { code: { in: [7] } },
    value: '07',
  },
  {
    what: 'a text field equals a boolean only as the database casts it',
    slug: 'switches',
    field: { name: 'state', type: 'text' },
    where: { state: { equals: true } },
    value: 'true',
    only: 'sqlite', // PostgreSQL casts: 'true' = true holds there, and REST answers 200
  },
  {
    what: 'a text field that looks like a date compares as text, not as an instant',
    slug: 'days',
    field: { name: 'day', type: 'text' },
    where: { day: { greater_than_equal: '2024-01-01T00:00:00.000Z' } },
    value: '2024-01-01',
  },
  {
    what: '`all` on a hasMany select, which the SQL adapters cannot run (REST 500): nothing is sent',
    slug: 'palettes',
    field: { name: 'tags', type: 'select', hasMany: true, options: ['red', 'reddish', 'blue'] },
    where: { tags: { all: ['red', 'blue'] } },
    value: ['red', 'blue'],
    refused: 500,
  },
];

describe.each(DATABASE_KINDS)('operators as the database evaluates them (%s)', (kind) => {
  const s = scene(kind, { collections: cases.map((c) => byOperator(c.slug, c.field, c.where)) });

  it.each(cases.filter((c) => !c.only || c.only === kind))('$what', async ({ slug, field, value, refused = 404 }) => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post(`/api/${slug}`, { title: slug, [(field as { name: string }).name]: value }));
    await expectParity(s.t, `public.${slug}.create`, id, s.viewers, since, { admin: 200, owner: refused, other: refused, 'robot(api-key)': refused });
  });
});

/**
 * SQLite stores a date as the text it was given: one written with an offset compares as text, not as the
 * instant it names. `2030-01-01T10:00:00+02:00` is 08:00 UTC, before 09:00 UTC as an instant, after it as text.
 */
describe('dates as SQLite compares them', () => {
  const s = scene('sqlite', {
    collections: [byOperator('meetings', { name: 'at', type: 'date' }, { at: { less_than: '2030-01-01T09:00:00.000Z' } })],
  });

  it('a date stored with an offset', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/meetings', { title: 'standup', at: '2030-01-01T10:00:00+02:00' }));
    await expectParity(s.t, 'public.meetings.create', id, s.viewers, since, { admin: 200, owner: 404, other: 404 });
  });
});
