/** The view engine: what each recipient may read of a document, computed by Payload's own read pipeline. */
export { AUTH_SECRET_KEYS } from './auth-secrets.js';
export { stableKey } from './stable-key.js';
export { emptyStats, type AccessErrorHandler, type AccessPhase, type AccessStats, type PlainDoc, type Recipient, type RecipientUser } from './types.js';
export { ViewEngine, type ViewEngineOptions, type ViewOptions, type Views } from './view-engine.js';
