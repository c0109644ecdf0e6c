import { Injectable } from '@nestjs/common';
import type { Access, CollectionConfig, FieldAccess } from 'payload';
import { buildConfig } from 'payload';
import type { Socket } from 'socket.io';
import { databaseAdapter } from '../../sample/payload.config.js';
import { OnConnect, PayloadSocketModule, payloadSocketPlugin, type PayloadSocketOptions, type RuleFunction } from '../../src/index.js';
import { startApp, type TestApp } from './app.js';
import { HttpClient, connectSocket, type RecordingSocket } from './clients.js';

/** Users with roles and five collections, one per kind of read access the leak matrix crosses. */
const isAdmin = (user: unknown) => (user as { role?: string } | null)?.role === 'admin';
const adminsOnly: Access = ({ req }) => isAdmin(req.user);
const adminsOnlyField: FieldAccess = ({ req }) => isAdmin(req.user);
const anyone: Access = () => true;
const ownerScoped: Access = ({ req: { user } }) => (!user ? false : isAdmin(user) ? true : { owner: { equals: user.id } });

export const ACCESS_KINDS = ['open', 'owned', 'admin-only', 'field-level', 'hidden-field'] as const;

/** A rule driven by the document itself: title `target|value` says where to send what. */
const ruleFromTitle: RuleFunction = (_args, _req, result) => {
  const [target, value] = String((result as { title?: string }).title).split('|');
  return { [target]: value === 'true' ? true : { built: (result as { title?: string }).title } };
};

const collection = (slug: string, read: Access, extra: CollectionConfig['fields'] = []): CollectionConfig => ({
  slug,
  access: { read, create: ({ req }) => Boolean(req.user), update: ({ req }) => Boolean(req.user) },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'owner', type: 'relationship', relationTo: 'users' },
    ...extra,
  ],
  hooks: { beforeChange: [({ data, req, operation }) => (operation === 'create' && req.user ? { ...data, owner: req.user.id } : data)] },
  custom: { socketAccess: { create: ruleFromTitle } },
});

export function securityConfig(databaseUrl: string) {
  return buildConfig({
    secret: 'security-spec-secret',
    db: databaseAdapter(databaseUrl),
    typescript: { autoGenerate: false },
    telemetry: false,
    collections: [
      {
        slug: 'users',
        auth: { useAPIKey: true },
        access: { create: ({ req }) => isAdmin(req.user) || !req.user },
        fields: [{ name: 'role', type: 'select', options: ['admin', 'user'], defaultValue: 'user' }],
      },
      collection('open', anyone),
      collection('owned', ownerScoped),
      collection('admin-only', adminsOnly),
      collection('field-level', anyone, [{ name: 'secret', type: 'text', access: { read: adminsOnlyField } }]),
      collection('hidden-field', anyone, [{ name: 'internal', type: 'text', hidden: true }]),
    ],
    plugins: [payloadSocketPlugin()],
  });
}

/** Lets test sockets join rooms, carelessly: any name a client sends. */
@Injectable()
export class CarelessRooms {
  @OnConnect()
  listen(socket: Socket): void {
    socket.on('join', async (room: string, ack?: (rooms: string[]) => void) => {
      await socket.join(room);
      ack?.([...socket.rooms]);
    });
  }
}

export interface Person {
  name: string;
  http: HttpClient;
  token?: string;
  id?: string | number;
}

export async function startSecurityApp(databaseUrl: string, options: Partial<PayloadSocketOptions> = {}): Promise<TestApp> {
  return startApp({
    imports: [PayloadSocketModule.forRoot({ config: securityConfig(databaseUrl), ...options })],
    providers: [CarelessRooms],
  });
}

/**
 * An admin (first user), two users (owner and other) and an anonymous visitor, each with its own session, all
 * made through instance `t`. `pageLoad` is the GET that gives the visitor its session cookie.
 */
export async function people(t: TestApp, { pageLoad = '/api/open' } = {}): Promise<Record<'admin' | 'owner' | 'other' | 'anonymous', Person>> {
  const expectStatus = (what: string, response: { status: number; body: unknown }, status: number) => {
    if (response.status !== status) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  };
  const admin: Person = { name: 'admin', http: new HttpClient(t.url) };
  const registered = await admin.http.post('/api/users/first-register', { email: 'admin@test.io', password: 'pw-admin', role: 'admin' });
  expectStatus('first-register', registered, 200);
  admin.token = registered.body.token;
  admin.id = registered.body.user.id;
  await t.payload.update({ collection: 'users', id: admin.id!, data: { role: 'admin' } });
  const make = async (name: string): Promise<Person> => {
    const person: Person = { name, http: new HttpClient(t.url) };
    expectStatus(`create ${name}`, await admin.http.post('/api/users', { email: `${name}@test.io`, password: `pw-${name}`, role: 'user' }), 201);
    const login = await person.http.post('/api/users/login', { email: `${name}@test.io`, password: `pw-${name}` });
    person.token = login.body.token;
    person.id = login.body.user.id;
    return person;
  };
  const anonymous: Person = { name: 'anonymous', http: new HttpClient(t.url) };
  await anonymous.http.get(pageLoad); // a session cookie, like a page load
  return { admin, owner: await make('owner'), other: await make('other'), anonymous };
}

/** A socket of `person` on `t`: its session cookie (unless `cookie: false`) and its JWT when logged in. */
export function socketOf(t: TestApp, person: Person, extra: { auth?: Record<string, unknown>; cookie?: boolean } = {}): Promise<RecordingSocket> {
  return connectSocket(t.url, {
    cookie: extra.cookie === false ? undefined : person.http.cookieHeader,
    auth: extra.auth ?? (person.token ? { token: person.token } : undefined),
  });
}
