import type { Access } from 'payload';
import { createdId, expectParity, isAdmin, restAs, scene, writable } from './support/parity.js';

/**
 * Drafts (CONTRACT.md: "drafts and trash as REST treats them"): REST GET `/:id` without `?draft=true` answers
 * the published document. A draft saved over a published document, or a new draft, reaches each socket as that
 * REST GET gives it to its user — never the unpublished content.
 */
const publishedUnlessAdmin: Access = ({ req }) => (isAdmin(req.user) ? true : { _status: { equals: 'published' } });

describe('drafts', () => {
  const s = scene('sqlite', {
    collections: [writable('stories', [{ name: 'title', type: 'text' }, { name: 'body', type: 'text' }], publishedUnlessAdmin, ['create', 'updateByID'], {
      versions: { drafts: true },
    })],
  });

  it('a draft saved over a published document', async () => {
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/stories', { title: 'Launch', body: 'public text', _status: 'published' }));
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    const saved = await restAs(s.t, s.who.admin).patch(`/api/stories/${id}?draft=true`, { title: 'Launch (embargoed)', body: 'embargoed text' });
    expect(saved.status).toBe(200);
    await expectParity(s.t, 'public.stories.updateByID', id, s.viewers, since, { other: 200, anonymous: 200 });
    expect((await restAs(s.t, s.who.other).get(`/api/stories/${id}?depth=0`)).body.body).toBe('public text');
  });

  it('a new draft', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/stories?draft=true', { title: 'Scoop', body: 'not yet' }));
    await expectParity(s.t, 'public.stories.create', id, s.viewers, since, { admin: 200, other: 404, anonymous: 404 });
  });

  it('publishing it', async () => {
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/stories?draft=true', { title: 'Later', body: 'soon' }));
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    expect((await restAs(s.t, s.who.admin).patch(`/api/stories/${id}`, { _status: 'published', body: 'now' })).status).toBe(200);
    await expectParity(s.t, 'public.stories.updateByID', id, s.viewers, since, { other: 200 });
  });
});
