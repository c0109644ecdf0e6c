import type { Where } from 'payload';
import { isPlainObject } from './plain.js';
import { all, allOf, any, scalarOperator, type Tri } from './where-operators.js';

/**
 * Evaluates a Payload `Where` (as returned by an access function) against a depth-0 document in memory.
 *
 * Three-valued on purpose: `true`/`false` only when the answer is the one the database would give on every
 * adapter (SQLite, Postgres, MongoDB); `undefined` when it is not sure (unknown operator, geo queries, a path
 * through an unpopulated relationship, a key missing from the document, NULL semantics that differ between
 * SQL and Mongo...). The caller then asks the database once. Guessing here would leak documents.
 */

type Leaf = { values: unknown[]; multi: boolean };

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

export type { Tri };
