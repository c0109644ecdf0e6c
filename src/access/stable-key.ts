import { isDate, isPlainObject } from './plain.js';

/**
 * Deterministic text of a JSON-like value (keys sorted), used to group equal access results and equal views.
 * Unlike JSON.stringify it keeps `undefined`, Dates and class instances (ObjectId) distinct.
 */
export function stableKey(value: unknown): string {
  if (value === undefined) return '"\u0000undefined"'; // kept distinct: `{equals: undefined}` is not `{}`
  if (typeof value === 'bigint') return `"\u0000bigint:${value}"`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? '"\u0000fn"';
  if (isDate(value)) return `"\u0000date:${value.getTime()}"`;
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (!isPlainObject(value)) {
    // ObjectId and friends: their string form identifies them; tagged with the class to stay distinct.
    return `"\u0000${Object.getPrototypeOf(value)?.constructor?.name ?? 'obj'}:${String(value)}"`;
  }
  const entries = Object.keys(value as object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableKey((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
