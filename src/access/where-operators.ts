import { isDate, isPlainObject } from './plain.js';

/**
 * Operator semantics for the in-memory Where matcher, written against what the SQL adapters
 * (@payloadcms/drizzle queries/parseParams.js) and MongoDB both do. `undefined` = "not portable, ask the DB".
 */
export type Tri = boolean | undefined;

export const isNullish = (v: unknown): boolean => v === null || v === undefined;

export function all(parts: Tri[]): Tri {
  if (parts.includes(false)) return false;
  return parts.includes(undefined) ? undefined : true;
}

export function any(parts: Tri[]): Tri {
  if (parts.includes(true)) return true;
  return parts.includes(undefined) ? undefined : false;
}

export function scalarOperator(operator: string, expected: unknown, raw: unknown): Tri {
  const value = normalizeStored(raw);
  if (value === undefined) return undefined;
  switch (operator) {
    case 'equals':
      if (expected === null) return isNullish(value);
      return isNullish(value) ? false : looseEquals(value, expected);
    case 'not_equals':
      if (expected === null) return !isNullish(value);
      // SQL adapters add `OR IS NULL`, Mongo's $ne matches null: both say "not equal".
      return isNullish(value) ? true : negate(looseEquals(value, expected));
    case 'in': {
      if (!Array.isArray(expected)) return undefined;
      if (isNullish(value)) return expected.includes(null);
      return any(expected.map((e) => (e === null ? false : looseEquals(value, e))));
    }
    case 'not_in': {
      if (!Array.isArray(expected)) return undefined;
      if (isNullish(value)) return undefined; // NOT IN with NULL differs between SQL and Mongo
      return negate(any(expected.map((e) => (e === null ? false : looseEquals(value, e)))));
    }
    case 'exists': {
      const want = expected === true || expected === 'true' ? true : expected === false || expected === 'false' ? false : undefined;
      if (want === undefined) return undefined;
      return want === !isNullish(value);
    }
    case 'greater_than':
    case 'greater_than_equal':
    case 'less_than':
    case 'less_than_equal':
      return compare(operator, value, expected);
    case 'like':
    case 'contains':
      return textContains(operator, value, expected);
    case 'all':
      return Array.isArray(value) ? allOf(expected, value) : undefined;
    default:
      return undefined; // near, within, intersects, not_like, unknown operators
  }
}

/** Depth 0: a relationship is an id, `{relationTo, value}` (polymorphic) or, if populated, `{id, ...}`. */
export function normalizeStored(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  if ('relationTo' in value && 'value' in value) return value; // compared as a pair in looseEquals
  if ('id' in value) return value.id;
  return undefined; // a group/object compared to a scalar: not a query Payload would build
}

function negate(t: Tri): Tri {
  return t === undefined ? undefined : !t;
}

/** `1` equals `'1'` (SQL ids are numbers, Mongo ids strings); Dates compare by time; booleans accept 'true'. */
export function looseEquals(rawA: unknown, rawB: unknown): Tri {
  const a = objectIdToString(rawA);
  const b = objectIdToString(rawB);
  if (isPlainObject(a) && 'relationTo' in a) {
    const inner = normalizeStored(a.value);
    // Only the `{relationTo, value}` notation is portable; a bare id is adapter-specific for polymorphics.
    if (!isPlainObject(b) || !('relationTo' in b) || !('value' in b)) return undefined;
    return a.relationTo !== b.relationTo ? false : looseEquals(inner, b.value);
  }
  if (isPlainObject(b) || isPlainObject(a)) return undefined; // ObjectId instances, whole documents...
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    // '2024-01-01' vs '2024-01-01T00:00:00.000Z': equal for a date field, not for a text one. Unknown.
    const ta = toTime(a);
    return ta !== undefined && ta === toTime(b) ? undefined : false;
  }
  if (isDate(a) || isDate(b)) {
    const ta = toTime(a);
    const tb = toTime(b);
    return ta === undefined || tb === undefined ? undefined : ta === tb;
  }
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return a.trim() !== '' && Number(a) === b;
  if (typeof a === 'boolean' && typeof b === 'string') return b === String(a);
  if (typeof a === 'string' && typeof b === 'boolean') return a === String(b);
  return false;
}

/** Mongo ObjectId instances (in a Where built from `req.user.id`, say) compare as their hex string. */
function objectIdToString(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && typeof (v as { toHexString?: unknown }).toHexString === 'function') {
    return (v as { toHexString(): string }).toHexString();
  }
  return v;
}

function toTime(v: unknown): number | undefined {
  if (isDate(v)) return v.getTime();
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function compare(operator: string, value: unknown, expected: unknown): Tri {
  if (isNullish(value)) return false; // NULL > x is false in SQL, and Mongo skips null for $gt/$lt
  let a: number | undefined;
  let b: number | undefined;
  if (typeof value === 'number') {
    a = value;
    b = typeof expected === 'number' ? expected : typeof expected === 'string' && expected.trim() !== '' ? Number(expected) : undefined;
  } else {
    // Only dates are compared as strings safely (ISO); other text ordering depends on collations.
    a = toTime(value);
    b = toTime(expected);
  }
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)) return undefined;
  switch (operator) {
    case 'greater_than': return a > b;
    case 'greater_than_equal': return a >= b;
    case 'less_than': return a < b;
    default: return a <= b;
  }
}

/**
 * `contains`: case-insensitive substring. `like`: every space-separated word is a case-insensitive substring
 * (what the SQL adapters build). Non-ASCII text (SQLite's LIKE folds ASCII only) and SQL wildcards are left
 * to the database.
 */
function textContains(operator: string, value: unknown, expected: unknown): Tri {
  if (isNullish(value)) return false;
  if (typeof value !== 'string' || typeof expected !== 'string') return undefined;
  if (!isAscii(value) || !isAscii(expected) || /[%_\\]/.test(expected)) return undefined;
  const haystack = value.toLowerCase();
  const needles = operator === 'like' ? expected.toLowerCase().split(' ') : [expected.toLowerCase()];
  return needles.every((needle) => haystack.includes(needle));
}

function isAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

export function allOf(expected: unknown, values: unknown[]): Tri {
  if (!Array.isArray(expected)) return undefined;
  return all(expected.map((e) => any(values.map((v) => looseEquals(normalizeStored(v), e)))));
}
