import type { SessionOptions } from 'express-session';
import type { Config, SanitizedConfig } from 'payload';
import type { Server, ServerOptions, Socket } from 'socket.io';

export type OnConnectHandler = (socket: Socket, io: Server) => void | Promise<void>;

/** Options of `PayloadSocketModule.forRoot`. Later features add keys here; keep it one object. */
export interface PayloadSocketOptions {
  /** The Payload config (`buildConfig(...)`'s promise or a plain config). Required. */
  config: Config | SanitizedConfig | Promise<SanitizedConfig>;
  /** The seed's switch: `false` boots Payload and serves its API, but runs no gateway and no emit hooks. */
  enabled?: boolean;
  /** Log every emit (event name, recipient count) and every connect/disconnect. */
  dev?: boolean;
  /** The seed's `onConnect` functions, called for every new socket after `@OnConnect` methods' peers. */
  onConnect?: OnConnectHandler[];
  /** express-session options; `secret` defaults to Payload's secret, `store` to one in Payload's database. */
  session?: Partial<SessionOptions> & { ttlSeconds?: number };
  /** Socket.IO cors options (`credentials: true` for clients on another origin). */
  cors?: ServerOptions['cors'];
  /** Socket.IO namespace of the module's gateway. */
  namespace?: string;
  /** Event name of an emit; default `${target}.${slug}.${operation}`. */
  eventName?: (target: string, slug: string, operation: string) => string;
  /** Largest JSON or urlencoded body Payload's API accepts (bytes or a string like '2mb'); larger → 413. */
  bodyLimit?: number | string;
  /** `getPayload` cache key; a unique one is made per module when omitted. */
  payloadKey?: string;
}

export const defaultEventName = (target: string, slug: string, operation: string): string =>
  `${target}.${slug}.${operation}`;

export type ResolvedOptions = Required<Pick<PayloadSocketOptions, 'enabled' | 'dev' | 'namespace' | 'eventName'>> &
  PayloadSocketOptions;

let moduleCount = 0;

export function resolveOptions(options: PayloadSocketOptions): ResolvedOptions {
  if (!options || !options.config) {
    throw new Error('PayloadSocketModule: `config` (your Payload config) is required.');
  }
  return {
    ...options,
    enabled: options.enabled ?? true,
    dev: options.dev ?? false,
    namespace: options.namespace ?? '/',
    eventName: options.eventName ?? defaultEventName,
    bodyLimit: options.bodyLimit ?? '2mb',
    payloadKey: options.payloadKey ?? `nest-payload-socket:${++moduleCount}`,
  };
}
