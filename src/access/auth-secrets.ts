/**
 * Top-level keys of an auth collection's document that never leave the server through this engine.
 *
 * Payload hides most of them itself (`hidden: true` on hash, salt, reset/verification tokens, login
 * attempts, lock; `access.read: () => false` on apiKey/apiKeyIndex). Two it does NOT hide from REST:
 * `sessions` (readable by the user themself) and anything that lands on `req.user` (`_sid`, `_strategy`).
 * The contract forbids emitting session lists, so they are removed for everyone; listing the rest again
 * is a belt-and-braces against a config that overrides those base fields.
 */
export const AUTH_SECRET_KEYS: readonly string[] = Object.freeze([
  'password',
  'hash',
  'salt',
  'resetPasswordToken',
  'resetPasswordExpiration',
  'resetPasswordRequestedAt',
  '_verificationToken',
  'apiKey',
  'apiKeyIndex',
  'sessions',
  'loginAttempts',
  'lockUntil',
  '_sid',
  '_strategy',
  'token',
  'refreshedToken',
]);
