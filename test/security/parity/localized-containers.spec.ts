import { DATABASE_KINDS } from '../../support/databases.js';
import { adminsOnlyField, anyone, createdId, expectParity, restAs, scene, writable } from './support/parity.js';

/**
 * Class 3 of issue 12: a localized group or named tab is stored per locale (`{ en: { … } }`); the fields inside
 * keep their read access and `hidden` in every locale. Each socket gets what REST gives its user.
 */
describe.each(DATABASE_KINDS)('localized groups and named tabs keep their fields protected (%s)', (kind) => {
  const s = scene(kind, {
    localized: true,
    collections: [
      writable('profiles', [
        { name: 'title', type: 'text' },
        {
          name: 'details',
          type: 'group',
          localized: true,
          fields: [
            { name: 'bio', type: 'text' },
            { name: 'salary', type: 'text', access: { read: adminsOnlyField } },
            { name: 'internalRef', type: 'text', hidden: true },
          ],
        },
        {
          type: 'tabs',
          tabs: [
            {
              name: 'extra',
              localized: true,
              fields: [
                { name: 'note', type: 'text' },
                { name: 'privateNote', type: 'text', access: { read: adminsOnlyField } },
                { name: 'token', type: 'text', hidden: true },
              ],
            },
          ],
        },
      ], anyone, ['create', 'updateByID']),
    ],
  });

  const data = {
    title: 'Ada',
    details: { bio: 'mathematician', salary: '1000', internalRef: 'HR-7' },
    extra: { note: 'likes engines', privateNote: 'under review', token: 'tk-123' },
  };

  it('a localized group and a localized named tab, as created', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/profiles', data));
    await expectParity(s.t, 'public.profiles.create', id, s.viewers, since, { admin: 200, other: 200, anonymous: 200 });
    // The case as REST answers it: the admin reads salary and private note, nobody reads the hidden fields.
    const other = (await restAs(s.t, s.who.other).get(`/api/profiles/${id}?depth=0`)).body;
    expect(other.details).toEqual({ bio: 'mathematician' });
    expect(other.extra).toEqual({ note: 'likes engines' });
  });

  it('after a second locale was written', async () => {
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/profiles', data));
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    const german = { details: { bio: 'Mathematikerin', salary: '2000', internalRef: 'HR-8' }, extra: { note: 'mag Maschinen', privateNote: 'in Prüfung', token: 'tk-456' } };
    expect((await restAs(s.t, s.who.admin).patch(`/api/profiles/${id}?locale=de`, german)).status).toBe(200);
    await expectParity(s.t, 'public.profiles.updateByID', id, s.viewers, since);
  });
});
