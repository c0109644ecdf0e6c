import { DATABASE_KINDS } from '../../support/databases.js';
import { adminOr, createdId, expectParity, restAs, scene, writable } from './support/parity.js';

/**
 * Class 2 of issue 12: conditions on paths inside one array are evaluated by the database on the same row (one
 * join per array). A document whose rows satisfy the conditions only one each must not reach the sockets of
 * the users REST answers 404.
 */
describe.each(DATABASE_KINDS)('array rows are correlated like the database does (%s)', (kind) => {
  const s = scene(kind, {
    collections: [
      // A sharing list: a user reads a document when ONE row names them with level read or write.
      writable('shares', [
        { name: 'title', type: 'text' },
        { name: 'acl', type: 'array', fields: [
          { name: 'user', type: 'relationship', relationTo: 'users' },
          { name: 'level', type: 'select', options: ['none', 'read', 'write'] },
        ] },
      ], adminOr((user) => ({ and: [{ 'acl.user': { equals: user.id } }, { 'acl.level': { in: ['read', 'write'] } }] })), ['create', 'updateByID']),
      // Two operators of one object on one array path.
      writable('scores', [
        { name: 'title', type: 'text' },
        { name: 'marks', type: 'array', fields: [{ name: 'value', type: 'number' }] },
      ], adminOr(() => ({ 'marks.value': { greater_than: 5, less_than: 10 } })), ['create']),
      // A range whose two ends are columns of one row.
      writable('windows', [
        { name: 'title', type: 'text' },
        { name: 'slots', type: 'array', fields: [{ name: 'start', type: 'number' }, { name: 'end', type: 'number' }] },
      ], adminOr(() => ({ and: [{ 'slots.start': { less_than_equal: 5 } }, { 'slots.end': { greater_than_equal: 5 } }] })), ['create']),
    ],
  });

  it('a sharing list: the user named on one row and the level granted on another row is not a reader', async () => {
    const since = s.mark();
    const { owner, other } = s.who;
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/shares', {
      title: 'plans',
      acl: [{ user: other.id, level: 'none' }, { user: owner.id, level: 'read' }],
    }));
    await expectParity(s.t, 'public.shares.create', id, s.viewers, since, { admin: 200, owner: 200, other: 404, 'robot(api-key)': 404, anonymous: 403 });
  });

  it('a sharing list edited so that the rows no longer line up for the owner', async () => {
    const { owner, other } = s.who;
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/shares', { title: 'budget', acl: [{ user: owner.id, level: 'write' }] }));
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    const edited = await restAs(s.t, s.who.admin).patch(`/api/shares/${id}`, { acl: [{ user: owner.id, level: 'none' }, { user: other.id, level: 'write' }, { user: owner.id, level: 'none' }] });
    expect(edited.status).toBe(200);
    await expectParity(s.t, 'public.shares.updateByID', id, s.viewers, since, { owner: 404, other: 200 });
  });

  it('two operators of one object hold on different rows', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/scores', { title: 'split', marks: [{ value: 3 }, { value: 20 }] }));
    await expectParity(s.t, 'public.scores.create', id, s.viewers, since, { admin: 200, owner: 404, other: 404 });
  });

  it('a range split across rows', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/windows', { title: 'split', slots: [{ start: 1, end: 2 }, { start: 8, end: 9 }] }));
    await expectParity(s.t, 'public.windows.create', id, s.viewers, since, { admin: 200, owner: 404, other: 404 });
  });
});
