import type { SanitizedCollectionConfig, Where } from 'payload';
import { isPlainObject } from './plain.js';
import type { PlainDoc } from './types.js';

/** `true`/`false` when proven; `undefined` when only the database can say. */
export type Tri = boolean | undefined;

/**
 * Decides a `Where` (an access result) for one stored document in memory — but only where the answer is provably
 * the database's on every adapter: `equals` / `in` on the document's `id` or on a top-level, non-localized,
 * single-valued scalar or relationship field, with values of the same JavaScript type as the stored one (no
 * coercion: `" 7"` vs 7 is the database's call), combined by `and`/`or`. Everything else — paths into groups and
 * arrays (rows must be correlated as the database does), hasMany fields, localized fields, dates, text operators,
 * nulls in the query, unknown operators — is `undefined`, and the caller asks the database.
 */
export function decideInMemory(where: Where, doc: PlainDoc, config: SanitizedCollectionConfig): Tri {
  if (!isPlainObject(where)) return undefined;
  const keys = Object.keys(where);
  // How adapters combine `and`/`or` with sibling keys differs (one was seen to OR them): the database's call.
  if (keys.length > 1 && keys.some((key) => ['and', 'or'].includes(key.toLowerCase()))) return undefined;
  const parts: Tri[] = [];
  for (const [key, condition] of Object.entries(where)) {
    const combinator = key.toLowerCase();
    if (combinator === 'and' || combinator === 'or') {
      if (!Array.isArray(condition) || condition.length === 0) return undefined;
      const inner = condition.map((w) => decideInMemory(w as Where, doc, config));
      parts.push(combinator === 'and' ? all(inner) : any(inner));
    } else {
      parts.push(decideField(key, condition, doc, config));
    }
  }
  return parts.length === 0 ? undefined : all(parts);
}

const SCALAR_TYPES = new Set(['text', 'email', 'textarea', 'select', 'radio', 'number', 'checkbox', 'relationship', 'upload']);

function decideField(path: string, condition: unknown, doc: PlainDoc, config: SanitizedCollectionConfig): Tri {
  if (!isPlainObject(condition) || !provableField(path, config) || !(path in doc)) return undefined;
  const stored = doc[path];
  if (stored !== null && !isPrimitive(stored)) return undefined; // a populated relationship, an object…
  const parts: Tri[] = [];
  for (const [operator, expected] of Object.entries(condition)) {
    if (operator === 'equals') parts.push(equalsValue(stored, expected));
    else if (operator === 'in' && Array.isArray(expected) && expected.length > 0) parts.push(any(expected.map((e) => equalsValue(stored, e))));
    else return undefined;
  }
  return parts.length === 0 ? undefined : all(parts);
}

function provableField(path: string, config: SanitizedCollectionConfig): boolean {
  if (path === 'id') return true;
  if (path.includes('.')) return false;
  const field = config.flattenedFields.find((f) => f.name === path) as Record<string, unknown> | undefined;
  if (!field || !SCALAR_TYPES.has(field.type as string)) return false;
  if (field.localized || field.hasMany || field.virtual) return false;
  return typeof field.relationTo !== 'object'; // a polymorphic relationship is stored as `{ relationTo, value }`
}

/** SQL `=` and Mongo equality agree when both sides have one primitive type; `NULL = x` matches nothing. */
function equalsValue(stored: unknown, expected: unknown): Tri {
  if (!isPrimitive(expected)) return undefined; // null in the query (IS NULL), objects, dates: the database's call
  if (stored === null) return false;
  return typeof stored === typeof expected ? stored === expected : undefined;
}

const isPrimitive = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

function all(parts: Tri[]): Tri {
  if (parts.includes(false)) return false;
  return parts.includes(undefined) ? undefined : true;
}

function any(parts: Tri[]): Tri {
  if (parts.includes(true)) return true;
  return parts.includes(undefined) ? undefined : false;
}
