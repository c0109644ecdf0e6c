import { DATABASE_KINDS } from '../../support/databases.js';
import { anyone, createdId, expectParity, restAs, scene, writable } from './support/parity.js';

/**
 * Class 8 of issue 12: with `trash: true`, a trashed document is gone for REST readers of the live collection
 * (GET /:id answers 404 without `?trash=true`). Moving it to trash, editing it there, or deleting it from there
 * for good must not send it to the sockets of those readers.
 */
describe.each(DATABASE_KINDS)('trash (%s)', (kind) => {
  const s = scene(kind, {
    collections: [writable('bins', [{ name: 'title', type: 'text' }], anyone, ['create', 'updateByID', 'deleteByID'], { trash: true })],
  });

  /** A live document everyone has seen created. */
  const live = async (title: string) => {
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/bins', { title }));
    await s.t.settle(s.viewers.map((v) => v.socket));
    return id;
  };
  const toTrash = (id: unknown) => restAs(s.t, s.who.admin).patch(`/api/bins/${id}`, { deletedAt: new Date().toISOString() });

  it('moving a document to trash (PATCH deletedAt) is not sent as the live document', async () => {
    const id = await live('to be trashed');
    const since = s.mark();
    const trashed = await toTrash(id);
    expect(trashed.status).toBe(200);
    expect(trashed.body.doc.deletedAt).toEqual(expect.any(String));
    await expectParity(s.t, 'public.bins.updateByID', id, s.viewers, since, { admin: 404, owner: 404, anonymous: 404 });
  });

  it('editing a document in trash (PATCH ?trash=true) is not sent to readers of the live collection', async () => {
    const id = await live('edited in trash');
    expect((await toTrash(id)).status).toBe(200);
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    const edited = await restAs(s.t, s.who.admin).patch(`/api/bins/${id}?trash=true`, { title: 'edited in trash, renamed' });
    expect(edited.status).toBe(200);
    await expectParity(s.t, 'public.bins.updateByID', id, s.viewers, since, { admin: 404, other: 404 });
    // REST shows it only to a reader who asks for the trash.
    expect((await restAs(s.t, s.who.other).get(`/api/bins/${id}?depth=0&trash=true`)).status).toBe(200);
  });

  it('deleting a trashed document for good (DELETE ?trash=true) is not sent as a live document', async () => {
    const id = await live('deleted from trash');
    expect((await toTrash(id)).status).toBe(200);
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    expect((await restAs(s.t, s.who.admin).delete(`/api/bins/${id}?trash=true`)).status).toBe(200);
    await expectParity(s.t, 'public.bins.deleteByID', id, s.viewers, since, { admin: 404 });
  });
});
