/** Injection tokens and metadata keys shared across the module. */
export const PAYLOAD_SOCKET_OPTIONS = Symbol('PAYLOAD_SOCKET_OPTIONS');
export const PAYLOAD_INSTANCE = Symbol('PAYLOAD_INSTANCE');
export const SESSION_MIDDLEWARE = Symbol('SESSION_MIDDLEWARE');

export const SOCKET_ACCESS_METADATA = 'nest-payload-socket:socket-access';
export const ON_CONNECT_METADATA = 'nest-payload-socket:on-connect';

/** Key under `req.context` / Local API `context` through which a call names the session or socket it acts for. */
export const SOCKET_CONTEXT_KEY = 'payloadSocket';

/** Marks the module's own Payload hooks, which the read pipeline must not run for a recipient's view. */
export const MODULE_HOOK = Symbol.for('nest-payload-socket:hook');
