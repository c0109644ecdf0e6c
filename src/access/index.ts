/** The access engine: what each socket's user may see of a document (pure, Nest-free). */
export { AccessEvaluator, type AccessEvaluatorOptions, type GroupOptions, type ViewGroup } from './access-groups.js';
export { createAccessRequest } from './access-request.js';
export { AUTH_SECRET_KEYS, isAuthSecretKey, stripAuthSecrets } from './auth-secrets.js';
export { accessResultKey, decideWhere, evaluateCollectionRead, type CollectionAccessResult } from './collection-access.js';
export { buildFieldView, toDepthZero } from './field-view.js';
export { readView, type ReadViewOptions } from './read-view.js';
export { stableKey } from './stable-key.js';
export { fieldsDependOnUser } from './user-dependence.js';
export {
  emptyStats,
  principalKey,
  type AccessContext,
  type AccessErrorHandler,
  type AccessPhase,
  type AccessStats,
  type PlainDoc,
  type Principal,
} from './types.js';
export { matchWhere, type Tri } from './where-matcher.js';
export { looseEquals } from './where-operators.js';
