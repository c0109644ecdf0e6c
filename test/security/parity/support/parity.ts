import { randomUUID } from 'node:crypto';
import type { Access, CollectionConfig, Field, FieldAccess } from 'payload';
import { buildConfig } from 'payload';
import { databaseAdapter } from '../../../../sample/payload.config.js';
import { PayloadSocketModule, payloadSocketPlugin, type PayloadSocketOptions } from '../../../../src/index.js';
import { startApp, type TestApp } from '../../../support/app.js';
import { HttpClient, connectSocket, type RecordedEvent, type RecordingSocket } from '../../../support/clients.js';
import { freshDatabase, type TestDatabase } from '../../../support/databases.js';

/**
 * The parity harness of issue 12: a real app per class, real sockets of several people, and one comparison —
 * what a socket received for an event against what the same credential's REST GET `?depth=0` answers right
 * after the write (deep-equal, or nothing where REST refuses).
 */

export const isAdmin = (user: unknown): boolean => (user as { role?: string } | null)?.role === 'admin';
export const adminsOnly: Access = ({ req }) => isAdmin(req.user);
export const adminsOnlyField: FieldAccess = ({ req }) => isAdmin(req.user);
export const loggedIn: Access = ({ req }) => Boolean(req.user);
export const anyone: Access = () => true;
/** Admins everything, other users what `where(user)` matches, anonymous visitors nothing. */
export const adminOr = (where: (user: { id: string | number }) => ReturnType<Exclude<Access, boolean>> | Record<string, unknown>): Access =>
  ({ req: { user } }) => (!user ? false : isAdmin(user) ? true : (where(user as { id: string | number }) as never));

/** A collection anyone logged in may write, with `custom.socketAccess` = `{ public: true }` for `operations`. */
export function writable(slug: string, fields: Field[], read: Access, operations: string[], extra: Partial<CollectionConfig> = {}): CollectionConfig {
  return {
    slug,
    ...extra,
    access: { read, create: loggedIn, update: loggedIn, delete: loggedIn, ...extra.access },
    fields,
    custom: { socketAccess: Object.fromEntries(operations.map((operation) => [operation, { public: true }])) },
  };
}

export interface ParitySpec {
  collections: CollectionConfig[];
  /** en (default) and de. */
  localized?: boolean;
  /** More of the `users` collection: `auth` options merged into `{ useAPIKey: true }`, extra fields. */
  users?: { auth?: Record<string, unknown>; fields?: Field[] };
}

export function parityConfig(databaseUrl: string, spec: ParitySpec) {
  return buildConfig({
    secret: 'parity-suite-secret',
    db: databaseAdapter(databaseUrl),
    typescript: { autoGenerate: false },
    telemetry: false,
    logger: { options: { level: 'warn' } },
    ...(spec.localized ? { localization: { locales: ['en', 'de'], defaultLocale: 'en' } } : {}),
    collections: [
      {
        slug: 'users',
        auth: { useAPIKey: true, ...spec.users?.auth },
        access: { create: ({ req }) => !req.user || isAdmin(req.user) },
        fields: [{ name: 'role', type: 'select', options: ['admin', 'user'], defaultValue: 'user' }, ...(spec.users?.fields ?? [])],
      },
      ...spec.collections,
    ],
    plugins: [payloadSocketPlugin()],
  });
}

/** A person: a JWT (`token`) once logged in, an API key (`apiKey`) when one was given. */
export interface Person {
  name: string;
  id?: string | number;
  email?: string;
  password?: string;
  token?: string;
  apiKey?: string;
}

/** Who is looking, with which credential (and locale): the socket and the REST GET both use exactly that. */
export interface Viewer {
  name: string;
  person: Person;
  via: 'jwt' | 'api-key' | 'none';
  /** Asked for at the handshake (`auth.locale`) and as REST's `?locale=`. */
  locale?: string;
  /** The REST locale when it differs from the handshake's (an unknown one falls back to the default). */
  restLocale?: string | null;
  socket: RecordingSocket;
}

export const authorization = (person: Person, via: Viewer['via']): Record<string, string> =>
  via === 'jwt' ? { Authorization: `JWT ${person.token}` } : via === 'api-key' ? { Authorization: `users API-Key ${person.apiKey}` } : {};

/** REST with one credential and nothing else (no cookies). */
export const restAs = (t: TestApp, person: Person, via: Viewer['via'] = person.token ? 'jwt' : 'none') => {
  const http = new HttpClient(t.url);
  const headers = authorization(person, via);
  return {
    get: (path: string) => http.get(path, headers),
    post: (path: string, body?: unknown) => http.post(path, body, headers),
    patch: (path: string, body?: unknown) => http.patch(path, body, headers),
    delete: (path: string) => http.delete(path, headers),
  };
};

/** A socket with the viewer's credential only: no cookie, the token or API key in `auth`, plus `auth.locale`. */
export async function openViewer(t: TestApp, name: string, person: Person, via: Viewer['via'], locale?: string, restLocale?: string | null): Promise<Viewer> {
  const auth: Record<string, unknown> =
    via === 'jwt' ? { token: person.token } : via === 'api-key' ? { apiKey: person.apiKey, collection: 'users' } : {};
  if (locale) auth.locale = locale;
  const socket = await connectSocket(t.url, { auth: Object.keys(auth).length ? auth : undefined });
  return { name, person, via, locale, restLocale, socket };
}

export type Cast = Record<'admin' | 'owner' | 'other' | 'robot' | 'anonymous', Person>;

/** An admin (first register), two users, a user with an API key (and a password), an anonymous visitor. */
export async function cast(t: TestApp): Promise<Cast> {
  const must = (what: string, response: { status: number; body: any }, status: number) => {
    if (response.status !== status) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const http = new HttpClient(t.url);
  const registered = must('first-register', await http.post('/api/users/first-register', { email: 'admin@parity.io', password: 'pw-admin' }), 200);
  await t.payload.update({ collection: 'users', id: registered.user.id, data: { role: 'admin' } });
  const admin: Person = { name: 'admin', id: registered.user.id, email: 'admin@parity.io', password: 'pw-admin', token: registered.token };
  const make = async (name: string, data: Record<string, unknown> = {}) => {
    const person: Person = { name, email: `${name}@parity.io`, password: `pw-${name}` };
    must(`create ${name}`, await restAs(t, admin).post('/api/users', { email: person.email, password: person.password, role: 'user', ...data }), 201);
    return logIn(t, person);
  };
  const apiKey = randomUUID();
  const robot = { ...(await make('robot', { enableAPIKey: true, apiKey })), apiKey };
  return { admin, owner: await make('owner'), other: await make('other'), robot, anonymous: { name: 'anonymous' } };
}

/** A (new) login of `person`: its token and id. */
export async function logIn(t: TestApp, person: Person): Promise<Person> {
  const login = await new HttpClient(t.url).post('/api/users/login', { email: person.email, password: person.password });
  if (login.status !== 200) throw new Error(`login ${person.name}: ${login.status} ${JSON.stringify(login.body)}`);
  return { ...person, token: login.body.token, id: login.body.user.id };
}

/** The five usual viewers: admin, owner, other (JWTs), robot (its API key), anonymous. */
export async function usualViewers(t: TestApp, who: Cast, locale?: string): Promise<Viewer[]> {
  return Promise.all([
    openViewer(t, 'admin', who.admin, 'jwt', locale),
    openViewer(t, 'owner', who.owner, 'jwt', locale),
    openViewer(t, 'other', who.other, 'jwt', locale),
    openViewer(t, 'robot(api-key)', who.robot, 'api-key', locale),
    openViewer(t, 'anonymous', who.anonymous, 'none', locale),
  ]);
}

export interface Scene {
  readonly t: TestApp;
  readonly who: Cast;
  readonly viewers: Viewer[];
  readonly db: TestDatabase;
  /** Extra viewers a test opens (closed with the scene). */
  open(name: string, person: Person, via: Viewer['via'], locale?: string, restLocale?: string | null): Promise<Viewer>;
  /** Marks where every viewer's record stands now (before a write). */
  mark(viewers?: Viewer[]): Since;
}

export type Since = (viewer: Viewer) => RecordedEvent[];

/** Registers beforeAll/afterAll: a fresh database of `kind`, the app, the cast and its usual viewers. */
export function scene(kind: TestDatabase['kind'], spec: ParitySpec, options: Partial<PayloadSocketOptions> = {}, { locale }: { locale?: string } = {}): Scene {
  const state = {} as { t: TestApp; who: Cast; viewers: Viewer[]; db: TestDatabase; extra: Viewer[] };
  beforeAll(async () => {
    state.extra = [];
    state.db = await freshDatabase(kind);
    state.t = await startApp({ imports: [PayloadSocketModule.forRoot({ config: parityConfig(state.db.url, spec), ...options })] });
    state.who = await cast(state.t);
    state.viewers = await usualViewers(state.t, state.who, locale);
  });
  afterAll(async () => {
    for (const viewer of [...(state.viewers ?? []), ...(state.extra ?? [])]) viewer.socket.close();
    await state.t?.close();
    await state.db?.drop();
  });
  return {
    get t() { return state.t; },
    get who() { return state.who; },
    get viewers() { return state.viewers; },
    get db() { return state.db; },
    async open(name, person, via, locale, restLocale) {
      const viewer = await openViewer(state.t, name, person, via, locale, restLocale);
      state.extra.push(viewer);
      return viewer;
    },
    mark: (viewers = [...state.viewers, ...state.extra]) => mark(viewers),
  };
}

export function mark(viewers: Viewer[]): Since {
  const marks = new Map(viewers.map((v) => [v.socket, v.socket.events.length]));
  return (viewer) => viewer.socket.events.slice(marks.get(viewer.socket) ?? viewer.socket.events.length).filter((e) => !e.event.startsWith('__'));
}

const localeQuery = (viewer: Viewer) => {
  const locale = viewer.restLocale === undefined ? viewer.locale : viewer.restLocale;
  return locale ? `&locale=${locale}` : '';
};

/** What the viewer's own REST GET `/api/<slug>/<id>?depth=0` (its locale) answers. */
export async function restView(t: TestApp, viewer: Viewer, slug: string, id: unknown): Promise<{ status: number; body: unknown }> {
  const response = await restAs(t, viewer.person, viewer.via).get(`/api/${slug}/${id}?depth=0${localeQuery(viewer)}`);
  // 500: Payload could not run the read (e.g. a Where the adapter fails on) — a refusal too: nothing may be sent.
  if (![200, 403, 404, 500].includes(response.status)) throw new Error(`REST GET ${slug}/${id} as ${viewer.name}: ${response.status} ${JSON.stringify(response.body)}`);
  return { status: response.status, body: response.body };
}

const slugOf = (event: string) => event.split('.')[1];
const received = (since: Since, viewer: Viewer, event: string) => since(viewer).filter((e) => e.event === event).map((e) => e.data);

/**
 * The parity check: after `t.settle`, each viewer received for `event` exactly its REST view of `docId` (one
 * packet), or nothing when its REST GET answers 403/404 (or 500). `statuses` pins REST's answers the case is about
 * (so a test cannot pass because REST changed its mind). Returns REST's statuses by viewer.
 */
export async function expectParity(
  t: TestApp,
  event: string,
  docId: unknown,
  viewers: Viewer[],
  since: Since,
  statuses: Record<string, number> = {},
): Promise<Record<string, number>> {
  await t.settle(viewers.map((v) => v.socket));
  const rest = Object.fromEntries(await Promise.all(viewers.map(async (v) => [v.name, await restView(t, v, slugOf(event), docId)] as const)));
  const answered = Object.fromEntries(Object.entries(rest).map(([name, r]) => [name, r.status]));
  expect(answered).toMatchObject(statuses);
  const expected = Object.fromEntries(viewers.map((v) => [v.name, rest[v.name].status === 200 ? [rest[v.name].body] : []]));
  const actual = Object.fromEntries(viewers.map((v) => [v.name, received(since, v, event)]));
  expect({ event, received: actual }).toEqual({ event, received: expected });
  return answered;
}

/** Each viewer's REST views of `ids` (in that order), the ones it may read: for bulk results. */
export async function restViews(t: TestApp, viewers: Viewer[], slug: string, ids: unknown[]): Promise<Record<string, unknown[]>> {
  const entries = await Promise.all(
    viewers.map(async (v) => {
      const views = await Promise.all(ids.map((id) => restView(t, v, slug, id)));
      return [v.name, views.filter((r) => r.status === 200).map((r) => r.body)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Bulk parity: each viewer got `{ docs: <its views> }` and nothing else (no writer's figures), or nothing. */
export async function expectBulkParity(t: TestApp, event: string, viewers: Viewer[], since: Since, views: Record<string, unknown[]>): Promise<void> {
  await t.settle(viewers.map((v) => v.socket));
  const expected = Object.fromEntries(viewers.map((v) => [v.name, views[v.name].length ? [{ docs: views[v.name] }] : []]));
  const actual = Object.fromEntries(viewers.map((v) => [v.name, received(since, v, event)]));
  expect({ event, received: actual }).toEqual({ event, received: expected });
}

/** Nobody received any of `events`. */
export async function expectNobody(t: TestApp, events: string[], viewers: Viewer[], since: Since): Promise<void> {
  await t.settle(viewers.map((v) => v.socket));
  const actual = Object.fromEntries(events.map((event) => [event, Object.fromEntries(viewers.map((v) => [v.name, received(since, v, event)]))]));
  expect(actual).toEqual(Object.fromEntries(events.map((event) => [event, Object.fromEntries(viewers.map((v) => [v.name, []]))])));
}

/** The created document's id, after checking the create answered 201. */
export function createdId(response: { status: number; body: any }): string | number {
  if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.doc.id;
}
