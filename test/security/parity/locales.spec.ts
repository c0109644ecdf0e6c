import type { Access } from 'payload';
import { DATABASE_KINDS } from '../../support/databases.js';
import { adminOr, anyone, createdId, expectParity, isAdmin, restAs, scene, writable, type Viewer } from './support/parity.js';

/**
 * Class 5 of issue 12: REST flattens localized fields to one locale — the default, or the one asked for. A
 * socket gets the default locale, or the one its handshake asked for (`auth: { locale }`; an unknown one falls
 * back to the default), compared with REST `?locale=<that>&depth=0`. Access may depend on `req.locale` too.
 */
const notInGerman: Access = ({ req }) => isAdmin(req.user) || req.locale !== 'de';

describe.each(DATABASE_KINDS)('locales (%s)', (kind) => {
  const s = scene(kind, {
    localized: true,
    collections: [
      writable('articles', [
        { name: 'slug', type: 'text' },
        { name: 'title', type: 'text', localized: true },
        { name: 'tags', type: 'array', localized: true, fields: [{ name: 'tag', type: 'text' }] },
      ], anyone, ['create', 'updateByID']),
      writable('regional', [{ name: 'title', type: 'text', localized: true }], notInGerman, ['create']),
      // A Where on a localized field: the database matches it in the request's locale.
      writable('labels', [{ name: 'title', type: 'text', localized: true }], adminOr(() => ({ title: { equals: 'Public' } })), ['updateByID']),
    ],
  });

  /** Sockets that asked for `locale` at the handshake (REST asks `restLocale`, when the two differ). */
  const asking = (locale: string, restLocale?: string | null): Promise<Viewer[]> =>
    Promise.all([
      s.open(`admin(${locale})`, s.who.admin, 'jwt', locale, restLocale),
      s.open(`other(${locale})`, s.who.other, 'jwt', locale, restLocale),
      s.open(`robot(api-key, ${locale})`, s.who.robot, 'api-key', locale, restLocale),
      s.open(`anonymous(${locale})`, s.who.anonymous, 'none', locale, restLocale),
    ]);

  const article = { slug: 'hello', title: 'Hello', tags: [{ tag: 'greeting' }] };

  it('a created document comes flattened to the default locale', async () => {
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/articles', article));
    await expectParity(s.t, 'public.articles.create', id, s.viewers, since);
  });

  it('a document with two locales comes in the default locale to sockets that asked for none', async () => {
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/articles', article));
    await s.t.settle(s.viewers.map((v) => v.socket));
    const since = s.mark();
    expect((await restAs(s.t, s.who.admin).patch(`/api/articles/${id}?locale=de`, { title: 'Hallo', tags: [{ tag: 'Gruß' }] })).status).toBe(200);
    await expectParity(s.t, 'public.articles.updateByID', id, s.viewers, since);
  });

  it('a socket that asked for `de` at the handshake gets German, as REST ?locale=de does', async () => {
    const german = await asking('de');
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/articles', article));
    await s.t.settle(german.map((v) => v.socket));
    const since = s.mark();
    expect((await restAs(s.t, s.who.admin).patch(`/api/articles/${id}?locale=de`, { title: 'Hallo', tags: [{ tag: 'Gruß' }] })).status).toBe(200);
    await expectParity(s.t, 'public.articles.updateByID', id, german, since);
    expect((await restAs(s.t, s.who.other).get(`/api/articles/${id}?depth=0&locale=de`)).body.title).toBe('Hallo');
  });

  it('a socket that asked for an unknown locale gets the default one', async () => {
    const unknown = await asking('xx', null);
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/articles', article));
    await s.t.settle(unknown.map((v) => v.socket));
    const since = s.mark();
    expect((await restAs(s.t, s.who.admin).patch(`/api/articles/${id}?locale=de`, { title: 'Hallo' })).status).toBe(200);
    await expectParity(s.t, 'public.articles.updateByID', id, unknown, since);
  });

  it('read access that depends on req.locale is judged in the locale of the socket', async () => {
    const german = await asking('de');
    await s.t.settle(german.map((v) => v.socket));
    const since = s.mark();
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/regional', { title: 'Local news' }));
    await expectParity(s.t, 'public.regional.create', id, [...s.viewers, ...german], since, {
      other: 200,
      'other(de)': 403,
      'admin(de)': 200,
    });
  });

  it('a read-access Where on a localized field is matched in the locale of the socket', async () => {
    const german = await asking('de');
    const id = createdId(await restAs(s.t, s.who.admin).post('/api/labels', { title: 'Public' }));
    await s.t.settle(german.map((v) => v.socket));
    const since = s.mark();
    expect((await restAs(s.t, s.who.admin).patch(`/api/labels/${id}?locale=de`, { title: 'Intern' })).status).toBe(200);
    await expectParity(s.t, 'public.labels.updateByID', id, [...s.viewers, ...german], since, { other: 200, 'other(de)': 404, 'admin(de)': 200 });
  });
});
