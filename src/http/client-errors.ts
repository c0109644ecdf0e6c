import type { Request as ExpressRequest } from 'express';
import { sanitizeConfig, type Config, type Payload, type SanitizedCollectionConfig, type SanitizedGlobalConfig } from 'payload';
import { SESSIONS_COLLECTION_SLUG } from '../session/stores/payload-session-store.js';

/**
 * A request the bridge answers itself, because Payload would answer it 5xx (or 501) although the fault is the
 * client's. Only what is provably the client's fault is decided here; everything else goes to Payload.
 */
export type ClientError =
  | { status: number; message: string; headers?: Record<string, string> }
  /** Answered exactly as Payload answers a route that does not exist. */
  | { status: 404; routeNotFound: string };

/**
 * Deepest nesting of a JSON body sent to Payload's own endpoints (and GraphQL). Payload copies and walks request
 * data recursively: a few thousand levels overflow its stack (a 500). Rich text stays far below this.
 */
export const MAX_JSON_DEPTH = 512;

/** Methods a Fetch `Request` cannot carry (so neither can Payload's handlers). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
/** SQL LIMIT and OFFSET are 64-bit integers in SQLite and PostgreSQL: past this, every query fails. */
const SQL_INT_LIMIT = 2 ** 63;
const PG_SERIAL_MAX = 2_147_483_647;
const POINT_OPERATORS = new Set(['near', 'within', 'intersects']);

/** Where the bridge sends a request: which of Payload's scopes, and whether only Payload's own code can answer it. */
export interface ApiRoute {
  collection?: SanitizedCollectionConfig;
  global?: SanitizedGlobalConfig;
  /** Path segments after the collection or global slug, as received (percent-encoded). */
  segments: string[];
  /** No endpoint of the app's own can receive this method in this scope: only Payload's (or none). */
  payloadOwned: boolean;
}

let ownEndpoints: Promise<WeakSet<object>> | undefined;

/**
 * Payload's built-in endpoint objects. Payload's sanitizer adds the same module-level objects to every
 * collection and global, so sanitizing a throwaway config with one of each kind (auth, upload, plain, global)
 * yields all of them. Should a Payload version copy them instead, the set matches nothing and the bridge decides
 * nothing about bodies and queries: Payload answers as it would.
 */
export function payloadOwnEndpoints(): Promise<WeakSet<object>> {
  ownEndpoints ??= sanitizeConfig({
    secret: 'nest-payload-socket: endpoint discovery',
    collections: [
      { slug: 'nps-auth', fields: [], auth: { useAPIKey: true }, upload: true },
      { slug: 'nps-plain', fields: [] },
    ],
    globals: [{ slug: 'nps-global', fields: [] }],
    typescript: { autoGenerate: false },
    telemetry: false,
  } as unknown as Config).then(
    (config) => {
      const endpoints = [config.endpoints, ...config.collections.map((c) => c.endpoints), ...config.globals.map((g) => g.endpoints)];
      return new WeakSet(endpoints.flatMap((list) => (list ? list : [])) as object[]);
    },
    () => new WeakSet<object>(),
  );
  return ownEndpoints;
}

/** The checks of one Payload instance. */
export class ClientErrors {
  private readonly api: string;

  constructor(
    private readonly payload: Payload,
    private readonly own: WeakSet<object>,
  ) {
    this.api = payload.config.routes.api.replace(/\/$/, '');
  }

  /** Before the body is read: the method, the path, the route and the query. */
  request(req: ExpressRequest): { route?: ApiRoute; error?: ClientError } {
    const method = req.method.toUpperCase();
    if (FORBIDDEN_METHODS.has(method)) {
      return { error: { status: 405, message: `Method ${method} is not allowed.`, headers: { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' } } };
    }
    const url = new URL(req.originalUrl, 'http://localhost');
    const pathname = url.pathname.replace(/\/$/, '');
    try {
      decodeURIComponent(pathname);
    } catch {
      return { error: { status: 400, message: 'The URL path is not valid percent-encoding.' } };
    }
    // As handleEndpoints finds the scope: /api/<collection>/…, /api/globals/<global>/…, or the root endpoints.
    let rest = pathname.slice(this.api.length);
    const isGlobals = rest.startsWith('/globals');
    if (isGlobals) rest = rest.replace('/globals', '');
    const [, first, ...segments] = rest.split('/');
    const { collections, config } = this.payload;
    let collection: SanitizedCollectionConfig | undefined;
    let global: SanitizedGlobalConfig | undefined;
    if (isGlobals) global = config.globals.find((g) => g.slug === first);
    else if (first) {
      // The module's own sessions collection is not part of the API at all; and Payload looks slugs up with `in`,
      // so `__proto__`, `constructor`… would be taken for collections (and throw).
      if ((first === SESSIONS_COLLECTION_SLUG || !Object.hasOwn(collections, first)) && first in collections) {
        return { error: { status: 404, routeNotFound: pathname } };
      }
      collection = collections[first as keyof typeof collections]?.config;
    }
    const endpoints = collection ? collection.endpoints : global ? global.endpoints : config.endpoints;
    const verb = method.toLowerCase();
    const payloadOwned =
      Boolean(collection || global) &&
      endpoints !== false &&
      !(endpoints ?? []).some((endpoint) => endpoint.method === verb && !this.own.has(endpoint)) &&
      !req.headers['x-payload-http-method-override'] &&
      !req.headers['x-http-method-override'];
    const route: ApiRoute = { collection, global, segments, payloadOwned };
    if (!payloadOwned) return { route };
    const error = this.query(url.searchParams, route) ?? this.documentId(verb, route, endpoints || []);
    return { route, error };
  }

  /** A JSON body for Payload's own endpoints (or GraphQL): an object (or array), nested at most MAX_JSON_DEPTH. */
  jsonBody(body: Uint8Array, { graphQL }: { graphQL: boolean }): ClientError | undefined {
    const first = firstSignificantByte(body);
    if (first === undefined) return undefined;
    if (!graphQL && first !== 0x7b && first !== 0x5b) {
      return { status: 400, message: 'The request body must be a JSON object.' };
    }
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      return { status: 400, message: `The JSON body is nested too deeply (at most ${MAX_JSON_DEPTH} levels).` };
    }
    return undefined;
  }

  private query(params: URLSearchParams, route: ApiRoute): ClientError | undefined {
    const single = (name: string) => {
      const values = params.getAll(name);
      return values.length === 1 ? values[0] : undefined;
    };
    const page = numeric(single('page'));
    const limit = numeric(single('limit'));
    if (page !== undefined && (!Number.isFinite(page) || page < 0)) return badParam('page', 'a page number (1 or more)');
    if (limit !== undefined && (!Number.isInteger(limit) || Math.abs(limit) >= SQL_INT_LIMIT)) return badParam('limit', 'a whole number');
    const perPage = limit ?? route.collection?.admin?.pagination?.defaultLimit ?? 10;
    if (page !== undefined && page > 1 && perPage > 0 && (page - 1) * perPage >= SQL_INT_LIMIT) {
      return { status: 400, message: 'The page is past any offset a database can skip to: use a smaller page or limit.' };
    }
    for (const name of ['where', 'data']) {
      const value = single(name);
      if (value === undefined || value === '') continue;
      try {
        const parsed: unknown = JSON.parse(value); // Payload parses a string `where`/`data` as JSON, unguarded
        if (name === 'where' && route.collection) {
          const misuse = pointOperatorMisuse(parsed, route.collection);
          if (misuse) return misuse;
        }
      } catch {
        return { status: 400, message: `The ${name} parameter is not valid JSON.` };
      }
    }
    if (route.collection) return pointOperatorMisuse(bracketWhere(params), route.collection);
    return undefined;
  }

  /** `/<id>` (read, delete) and `/<id>/duplicate` with an id no document of a numeric-id collection can have. */
  private documentId(verb: string, route: ApiRoute, endpoints: { method: string; path: string }[]): ClientError | undefined {
    const { collection, segments } = route;
    if (!collection) return undefined;
    const isDocument = (segments.length === 1 && (verb === 'get' || verb === 'delete')) || (segments.length === 2 && verb === 'post' && segments[1] === 'duplicate');
    if (!isDocument || !segments[0]) return undefined;
    if (endpoints.some((endpoint) => endpoint.method === verb && endpoint.path === `/${segments.join('/')}`)) return undefined; // /count, /me…
    const { customIDType } = this.payload.collections[collection.slug];
    if ((customIDType ?? this.payload.db.defaultIDType) !== 'number') return undefined;
    const id = parseFloat(decodeURIComponent(segments[0])); // what Payload makes of it
    const serial = !customIDType && (this.payload.db as { idType?: string }).idType === 'serial'; // PostgreSQL integer
    if (Number.isNaN(id) || (serial && (!Number.isInteger(id) || Math.abs(id) > PG_SERIAL_MAX))) {
      return { status: 404, message: 'Not Found' };
    }
    return undefined;
  }
}

const badParam = (name: string, expected: string): ClientError => ({ status: 400, message: `The ${name} parameter must be ${expected}.` });

/** What Payload's parseParams turns into a number (`isNumber`), or undefined when it leaves the value as it is. */
function numeric(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isNaN(number) ? undefined : number;
}

/** `where[a][b]…=v` query keys as the nested object qs would make of them (values kept as strings). */
function bracketWhere(params: URLSearchParams): Record<string, unknown> {
  const where: Record<string, unknown> = Object.create(null); // `where[__proto__]…` is a key like any other
  for (const [key, value] of params) {
    if (!key.startsWith('where[')) continue;
    const path = [...key.slice('where'.length).matchAll(/\[([^\]]*)\]/g)].map((match) => match[1]);
    let node = where;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] ??= value;
        return;
      }
      const next = node[segment];
      node = next && typeof next === 'object' ? (next as Record<string, unknown>) : (node[segment] = Object.create(null));
    });
  }
  return where;
}

/**
 * `near`, `within` and `intersects` are operators of point fields only; on a field of another type Payload builds
 * a query its database cannot run (a 500). Decided for top-level fields only; any other path is Payload's.
 */
function pointOperatorMisuse(where: unknown, collection: SanitizedCollectionConfig): ClientError | undefined {
  const pending: unknown[] = [where];
  for (let guard = 0; pending.length && guard < 10_000; guard++) {
    const node = pending.pop();
    if (!node || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'and' || key === 'or') {
        if (value && typeof value === 'object') pending.push(...Object.values(value));
        continue;
      }
      if (!value || typeof value !== 'object') continue;
      const field = collection.flattenedFields.find((f) => 'name' in f && f.name === key);
      if (!field || field.type === 'point') continue;
      const operator = Object.keys(value).find((op) => POINT_OPERATORS.has(op));
      if (operator) return { status: 400, message: `The ${operator} operator applies to point fields only; "${key}" is a ${field.type} field.` };
    }
  }
  return undefined;
}

function firstSignificantByte(body: Uint8Array): number | undefined {
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0xef && byte !== 0xbb && byte !== 0xbf) return byte;
  }
  return undefined;
}

/** Nesting of `{`/`[` outside strings, counted in one pass over the bytes (no parse, no recursion). */
export function jsonDepthExceeds(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > max) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}
