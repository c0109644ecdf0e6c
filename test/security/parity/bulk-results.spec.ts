import { DATABASE_KINDS } from '../../support/databases.js';
import {
  adminOr, adminsOnly, anyone, createdId, expectBulkParity, expectNobody, restAs, restViews, scene, writable,
} from './support/parity.js';

/**
 * Class 9 of issue 12: `true` on a bulk operation (find, update and delete by `?where`) sends each socket
 * `{ docs }` with only the documents its user may read, each equal to its REST GET `/:id?depth=0`, and none of
 * the writer's figures (totalDocs, totalPages, errors…: they count what the writer saw). Version operations
 * fail closed: `true` on findVersions / findVersionByID reaches nobody.
 */
describe.each(DATABASE_KINDS)('bulk results and versions (%s)', (kind) => {
  const s = scene(kind, {
    collections: [
      writable('tickets', [
        { name: 'title', type: 'text' },
        { name: 'status', type: 'text' },
        { name: 'owner', type: 'relationship', relationTo: 'users' },
      ], adminOr((user) => ({ owner: { equals: user.id } })), ['find', 'update', 'delete']),
      writable('pages', [{ name: 'title', type: 'text' }], anyone, ['findVersions', 'findVersionByID'], {
        versions: { maxPerDoc: 10 },
        access: { readVersions: adminsOnly },
      }),
    ],
  });

  /** Two tickets of the owner and one of the other user, titled `<batch> n`. */
  const batch = async (name: string): Promise<void> => {
    const { owner, other } = s.who;
    for (const [i, who] of [owner, owner, other].entries()) {
      createdId(await restAs(s.t, s.who.admin).post('/api/tickets', { title: `${name} ${i}`, status: 'open', owner: who.id }));
    }
  };
  const ids = (response: { status: number; body: any }) => {
    expect(response.status).toBe(200);
    return (response.body.docs as { id: unknown }[]).map((doc) => doc.id);
  };

  it('find: each socket gets only its own documents, and no figures of the writer', async () => {
    await batch('find');
    const since = s.mark();
    const found = ids(await restAs(s.t, s.who.admin).get('/api/tickets?where[title][like]=find&depth=0&limit=2'));
    expect(found).toHaveLength(2); // a page of the writer's: its totalDocs (3) and totalPages (2) are the writer's
    await expectBulkParity(s.t, 'public.tickets.find', s.viewers, since, await restViews(s.t, s.viewers, 'tickets', found));
  });

  it('update by where: each socket gets its own updated documents as REST gives them', async () => {
    await batch('update');
    const since = s.mark();
    const updated = ids(await restAs(s.t, s.who.admin).patch('/api/tickets?where[title][like]=update&depth=0', { status: 'closed' }));
    expect(updated).toHaveLength(3);
    await expectBulkParity(s.t, 'public.tickets.update', s.viewers, since, await restViews(s.t, s.viewers, 'tickets', updated));
  });

  it('delete by where: each socket gets its own deleted documents as it could read them', async () => {
    await batch('delete');
    const before = await restAs(s.t, s.who.admin).get('/api/tickets?where[title][like]=delete&depth=0');
    const views = await restViews(s.t, s.viewers, 'tickets', ids(before)); // read before they are gone
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    const deleted = ids(await restAs(s.t, s.who.admin).delete('/api/tickets?where[title][like]=delete&depth=0'));
    expect([...deleted].sort()).toEqual(ids(before).sort());
    const inOrder = Object.fromEntries(Object.entries(views).map(([name, docs]) => [
      name,
      deleted.map((id) => docs.find((doc) => (doc as { id: unknown }).id === id)).filter(Boolean),
    ]));
    await expectBulkParity(s.t, 'public.tickets.delete', s.viewers, since, inOrder);
  });

  it('findVersions and findVersionByID with `true` reach nobody', async () => {
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/pages', { title: 'v1' }));
    expect((await restAs(s.t, s.who.admin).patch(`/api/pages/${id}`, { title: 'v2' })).status).toBe(200);
    const since = s.mark();
    const versions = await restAs(s.t, s.who.admin).get(`/api/pages/versions?where[parent][equals]=${id}&depth=0`);
    expect(versions.status).toBe(200);
    expect(versions.body.docs.length).toBeGreaterThan(0);
    expect((await restAs(s.t, s.who.admin).get(`/api/pages/versions/${versions.body.docs[0].id}?depth=0`)).status).toBe(200);
    // The case as REST has it: a user without readVersions may not list them.
    expect((await restAs(s.t, s.who.other).get(`/api/pages/versions?depth=0`)).status).toBe(403);
    await expectNobody(s.t, ['public.pages.findVersions', 'public.pages.findVersionByID'], s.viewers, since);
  });
});
