/**
 * Realm-safe helpers for JSON-like data. Documents may come from another realm (vm contexts, jest, a
 * structured clone), so `instanceof Date` and `proto === Object.prototype` are not reliable here.
 */
export const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) === '[object Date]';

/** A plain `{}` object from any realm (not an array, Date, ObjectId, Buffer...). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Deep copy of arrays and plain objects; every other value (Date, ObjectId, Buffer) is shared as is —
 * unlike structuredClone, which would turn an ObjectId into a plain object.
 */
export function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clonePlain(value[key]);
  return out as T;
}
