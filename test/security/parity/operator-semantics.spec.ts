import type { Field } from 'payload';
import { DATABASE_KINDS } from '../../support/databases.js';
import { adminOr, createdId, expectParity, restAs, scene, writable } from './support/parity.js';

/**
 * Class 4 of issue 12: a `Where` from read access means what the database makes of it, not what JavaScript
 * would. Each collection below lets non-admins read what one operator matches; the document is one where the
 * two answers differ, so REST answers 404 to every non-admin and no non-admin socket may get it.
 */
const byOperator = (slug: string, field: Field, where: Record<string, unknown>) =>
  writable(slug, [{ name: 'title', type: 'text' }, field], adminOr(() => where as never), ['create']);

const cases: { slug: string; field: Field; where: Record<string, unknown>; value: unknown; what: string }[] = [
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
  },
];

describe.each(DATABASE_KINDS)('operators as the database evaluates them (%s)', (kind) => {
  const s = scene(kind, { collections: cases.map((c) => byOperator(c.slug, c.field, c.where)) });

  it.each(cases)('$what', async ({ slug, field, value }) => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post(`/api/${slug}`, { title: slug, [(field as { name: string }).name]: value }));
    await expectParity(s.t, `public.${slug}.create`, id, s.viewers, since, { admin: 200, owner: 404, other: 404, 'robot(api-key)': 404 });
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
