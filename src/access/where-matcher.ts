import type { Where } from 'payload';

/**
 * Evaluates a Payload `Where` (as returned by an access function) against a depth-0 document in memory.
 *
 * Three-valued on purpose: `true`/`false` only when the answer is the one the database would give on every
 * adapter (SQLite, Postgres, MongoDB); `undefined` when it is not sure (unknown operator, geo queries, a path
 * through an unpopulated relationship, a key missing from the document, NULL semantics that differ between
 * SQL and Mongo...). The caller then asks the database once. Guessing here would leak documents.
 */
export type Tri = boolean | undefined;

type Leaf = { values: unknown[]; multi: boolean };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const isNullish = (v: unknown): boolean => v === null || v === undefined;

export function matchWhere(where: Where, doc: Record<string, unknown>): Tri {
  if (!isPlainObject(where)) return undefined;
  const results: Tri[] = [];
  for (const [key, condition] of Object.entries(where)) {
    const lower = key.toLowerCase();
    if (lower === 'and' || lower === 'or') {
      if (!Array.isArray(condition)) return undefined;
      // An empty `or` is adapter-specific (no constraint vs. no match): let the database say.
      if (lower === 'or' && condition.length === 0) return undefined;
      const parts = condition.map((w) => matchWhere(w as Where, doc));
      results.push(lower === 'and' ? all(parts) : any(parts));
    } else {
      if (!isPlainObject(condition)) return undefined;
      results.push(matchField(key, condition, doc));
    }
  }
  return all(results);
}

/** Kleene AND: one definite false wins, otherwise any unknown makes the whole unknown. */
function all(parts: Tri[]): Tri {
  if (parts.includes(false)) return false;
  return parts.includes(undefined) ? undefined : true;
}

function any(parts: Tri[]): Tri {
  if (parts.includes(true)) return true;
  return parts.includes(undefined) ? undefined : false;
}

function matchField(path: string, condition: Record<string, unknown>, doc: Record<string, unknown>): Tri {
  const leaf = resolvePath(doc, path.split('.'));
  if (!leaf) return undefined;
  const parts: Tri[] = [];
  for (const [operator, expected] of Object.entries(condition)) {
    parts.push(applyOperator(operator, expected, leaf));
  }
  return all(parts);
}

/**
 * Walks `a.b.c` through groups, arrays (fan-out: any row may match, like the SQL join) and relationships.
 * Returns null when the path cannot be followed exactly (a missing key, an id where fields were asked for).
 */
function resolvePath(doc: unknown, segments: string[]): Leaf | null {
  let current: unknown[] = [doc];
  let multi = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) return null; // handled below; arrays are flattened before descending
      if (isPlainObject(value)) {
        if (!(segment in value)) {
          // A populated relationship asked for `id` only has it under `id`; anything else missing is unknown.
          return null;
        }
        next.push(value[segment]);
      } else if (segment === 'id' && i === segments.length - 1 && (typeof value === 'string' || typeof value === 'number')) {
        next.push(value); // `owner.id` on an unpopulated relationship is the id itself
      } else {
        return null; // a scalar (an id) where more path was asked for: needs a join
      }
    }
    current = [];
    for (const value of next) {
      const isLast = i === segments.length - 1;
      if (Array.isArray(value) && !isLast) {
        multi = true;
        current.push(...value);
      } else {
        current.push(value);
      }
    }
  }
  // A leaf that is itself an array (hasMany select/text/number/relationship) is matched element-wise.
  if (current.length === 1 && Array.isArray(current[0])) return { values: current[0], multi: true };
  if (current.some(Array.isArray)) return null;
  return { values: current, multi };
}

function applyOperator(operator: string, expected: unknown, leaf: Leaf): Tri {
  const { values, multi } = leaf;
  if (multi) {
    // Over several rows/values only "some value satisfies it" is portable; negations and NULLs are not.
    if (expected === null || !['equals', 'in', 'contains', 'like', 'greater_than', 'greater_than_equal',
      'less_than', 'less_than_equal', 'all'].includes(operator)) return undefined;
    if (operator === 'all') return allOf(expected, values);
    return any(values.map((v) => scalarOperator(operator, expected, v)));
  }
  const [value] = values;
  if (value === undefined) return undefined; // key present but undefined: do not guess
  return scalarOperator(operator, expected, value);
}

function scalarOperator(operator: string, expected: unknown, raw: unknown): Tri {
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
function normalizeStored(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  if ('relationTo' in value && 'value' in value) return value; // compared as a pair in looseEquals
  if ('id' in value) return value.id;
  return undefined; // a group/object compared to a scalar: not a query Payload would build
}

function negate(t: Tri): Tri {
  return t === undefined ? undefined : !t;
}

/** `1` equals `'1'` (SQL ids are numbers, Mongo ids strings); Dates compare by time; booleans accept 'true'. */
export function looseEquals(a: unknown, b: unknown): Tri {
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
  if (b instanceof Date || a instanceof Date) {
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

function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
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

function allOf(expected: unknown, values: unknown[]): Tri {
  if (!Array.isArray(expected)) return undefined;
  return all(expected.map((e) => any(values.map((v) => looseEquals(normalizeStored(v), e)))));
}
