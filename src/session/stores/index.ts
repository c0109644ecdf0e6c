export {
  createSessionStore,
  sessionStoreKind,
  type CreateSessionStoreOptions,
  type SessionStoreHandle,
  type SessionStoreKind,
} from './create-session-store.js';
export {
  PayloadSessionStore,
  SESSIONS_COLLECTION_SLUG,
  sessionExpiry,
  sessionsCollection,
  createSessionsCollection,
  type PayloadSessionStoreOptions,
  type SessionStoreLogger,
} from './payload-session-store.js';
export { ensurePgSessionTable, PG_SESSION_SCHEMA, PG_SESSION_TABLE } from './postgres-session-store.js';
export { MONGO_SESSION_COLLECTION } from './mongo-session-store.js';
