/**
 * Keys that never leave the server, wherever they sit in a result (a login's `user`, each of `docs`,
 * a populated relationship): credentials, tokens, API keys, session lists. A collection field that happens
 * to use one of these names is stripped too: secure by default.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'hash',
  'salt',
  'token',
  'refreshedToken',
  'resetPasswordToken',
  'resetPasswordExpiration',
  '_verificationToken',
  'apiKey',
  'apiKeyIndex',
  'sessions',
  '_sid',
  'loginAttempts',
  'lockUntil',
  '_strategy', // not a secret: the auth strategy marker Payload puts on `req.user` (a login's `user`); REST never shows it
]);

/**
 * A deep copy of `value` without secret keys. The copy doubles as a snapshot: emits run after commit, when the
 * caller may already have mutated the object Payload returned.
 */
export function stripSecrets<T>(value: T): T {
  return copy(value, new WeakSet()) as T;
}

function copy(value: unknown, ancestors: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return undefined; // a cycle cannot be serialized anyway
  if (Array.isArray(value)) {
    ancestors.add(value);
    const out = value.map((item) => copy(item, ancestors));
    ancestors.delete(value);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date, Buffer, …: serialized as they are
  ancestors.add(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!SECRET_KEYS.has(key)) out[key] = copy(item, ancestors);
  }
  ancestors.delete(value);
  return out;
}
