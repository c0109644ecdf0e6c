import type { Namespace, Socket } from 'socket.io';

/** Default of `limits.maxDepth`. */
export const DEFAULT_MAX_DEPTH = 32;

/** Each namespace's `limits.maxDepth` (0: off), for the checks that run before Socket.IO's middlewares. */
const maxDepths = new WeakMap<Namespace, number>();

export function setMaxDepth(nsp: Namespace, maxDepth: number): void {
  maxDepths.set(nsp, maxDepth);
}

export function maxDepthOf(socket: Socket): number {
  return maxDepths.get(socket.nsp) ?? 0;
}

/**
 * Whether any of `values` nests arrays or plain objects more than `max` levels deep (`[]` is one level). Measured
 * with an explicit stack, never by recursion: the point is to refuse what would overflow the stack of recursive
 * code later (`String(value)`, `JSON.stringify`, deep copies). Binary values (Buffers) and other class instances
 * are leaves. `max` 0 (or less) never refuses.
 */
export function deeperThan(values: readonly unknown[], max: number): boolean {
  if (max <= 0) return false;
  const pending: unknown[] = [];
  const depths: number[] = [];
  for (const value of values) {
    if (isContainer(value)) {
      pending.push(value);
      depths.push(1);
    }
  }
  while (pending.length) {
    const value = pending.pop() as object;
    const depth = depths.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (isContainer(child)) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
