/** The public API of nest-payload-socket. */
export { PayloadSocketModule, type PayloadSocketAsyncOptions } from './module/payload-socket.module.js';
export { InjectPayload } from './module/inject-payload.decorator.js';
export type {
  PayloadSocketOptions,
  OnConnectHandler,
  SocketAuthOptions,
  SocketLimits,
  RedisScaleOptions,
  SessionOptions,
  SessionCookieOptions,
  SessionStore,
} from './options.js';
export { SessionIoAdapter } from './gateway/session-io.adapter.js';
export { OnConnect } from './gateway/on-connect.decorator.js';
export { SocketAccess } from './rules/socket-access.decorator.js';
export type { Rule, RuleFunction, Targets, SocketAccessConfig } from './rules/rule.js';
export { SEED_OPERATIONS, type SocketOperation } from './rules/operations.js';
export { payloadSocketPlugin, type PayloadSocketPluginOptions } from './plugin/payload-socket.plugin.js';
export { getRequestContext, type RequestContext } from './http/request-context.js';
export { actingFor } from './emitting/origin.js';
export { visibleRooms } from './session/rooms.js';
export { RealtimeService } from './emitting/realtime.service.js';
export { PAYLOAD_INSTANCE, PAYLOAD_SOCKET_OPTIONS, SOCKET_CONTEXT_KEY } from './constants.js';
