import type { Payload } from 'payload';
import type { SocketOperation } from '../../../src/index.js';
import type { HttpClient } from '../../support/clients.js';

export const REQUESTER = { email: 'requester@example.com', password: 'requester password' };

export interface OperationContext {
  payload: Payload;
  /** The requester's browser (cookie jar); its three tabs are the `self` sockets. */
  http: HttpClient;
}

type Response = { status: number; body: any };

/** How one of the ten operations is caused over REST, and what the requester's own result must look like. */
export interface OperationCase {
  operation: SocketOperation;
  slug: 'posts' | 'users';
  /** Runs before the recorded events are cleared: what the operation works on. */
  prepare?(ctx: OperationContext): Promise<string | number | undefined>;
  run(ctx: OperationContext, id: string | number | undefined): Promise<Response>;
  status: number;
  /** The result as `self: true` delivers it (a partial match), from the HTTP response. */
  result(response: Response): unknown;
}

const seedPost = async ({ payload }: OperationContext, title: string) =>
  (await payload.create({ collection: 'posts', data: { title } })).id;

const login = ({ http }: OperationContext) => http.post('/api/users/login', REQUESTER);

export const OPERATION_CASES: OperationCase[] = [
  {
    operation: 'create',
    slug: 'posts',
    run: ({ http }) => http.post('/api/posts', { title: 'created over REST' }),
    status: 201,
    result: ({ body }) => body.doc,
  },
  {
    operation: 'find',
    slug: 'posts',
    prepare: (ctx) => seedPost(ctx, 'to be found'),
    run: ({ http }) => http.get('/api/posts?where[title][equals]=to%20be%20found'),
    status: 200,
    result: ({ body }) => ({ docs: body.docs, totalDocs: body.totalDocs }),
  },
  {
    operation: 'findByID',
    slug: 'posts',
    prepare: (ctx) => seedPost(ctx, 'found by id'),
    run: ({ http }, id) => http.get(`/api/posts/${id}`),
    status: 200,
    result: ({ body }) => body,
  },
  {
    operation: 'update',
    slug: 'posts',
    prepare: (ctx) => seedPost(ctx, 'bulk update me'),
    run: ({ http }, id) => http.patch(`/api/posts?where[id][equals]=${id}`, { title: 'bulk updated' }),
    status: 200,
    result: ({ body }) => ({ docs: body.docs, errors: [] }),
  },
  {
    operation: 'updateByID',
    slug: 'posts',
    prepare: (ctx) => seedPost(ctx, 'update me'),
    run: ({ http }, id) => http.patch(`/api/posts/${id}`, { title: 'updated' }),
    status: 200,
    result: ({ body }) => body.doc,
  },
  {
    operation: 'delete',
    slug: 'posts',
    prepare: (ctx) => seedPost(ctx, 'bulk delete me'),
    run: ({ http }, id) => http.delete(`/api/posts?where[id][equals]=${id}`),
    status: 200,
    result: ({ body }) => ({ docs: body.docs, errors: [] }),
  },
  {
    operation: 'deleteByID',
    slug: 'posts',
    prepare: (ctx) => seedPost(ctx, 'delete me'),
    run: ({ http }, id) => http.delete(`/api/posts/${id}`),
    status: 200,
    result: ({ body }) => body.doc,
  },
  {
    operation: 'login',
    slug: 'users',
    run: (ctx) => login(ctx),
    status: 200,
    result: ({ body }) => ({ exp: body.exp, user: { id: body.user.id, email: REQUESTER.email } }),
  },
  {
    operation: 'refresh',
    slug: 'users',
    prepare: async (ctx) => void (await login(ctx)),
    run: ({ http }) => http.post('/api/users/refresh-token'),
    status: 200,
    result: ({ body }) => ({ exp: body.exp, user: { id: body.user.id, email: REQUESTER.email } }),
  },
  {
    operation: 'forgotPassword',
    slug: 'users',
    run: ({ http }) => http.post('/api/users/forgot-password', { email: REQUESTER.email }),
    status: 200,
    result: () => null, // the reset token is the operation's result: never sent
  },
];

export const ALL_OPERATIONS = OPERATION_CASES.map((c) => c.operation);
