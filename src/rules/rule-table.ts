import type { SanitizedCollectionConfig } from 'payload';
import { EXTRA_OPERATIONS, SEED_OPERATIONS, isSocketOperation } from './operations.js';
import type { CompiledRule, Rule, RuleFunction, SocketAccessConfig } from './rule.js';

/**
 * All emit rules, from both sources, keyed by `slug` then operation. Built once at boot; a lookup is the
 * whole cost of an operation without rules.
 */
export class RuleTable {
  private readonly rules = new Map<string, Map<string, CompiledRule[]>>();

  constructor(private readonly knownSlugs: ReadonlySet<string>) {}

  get(slug: string, operation: string): CompiledRule[] | undefined {
    return this.rules.get(slug)?.get(operation);
  }

  get size(): number {
    let count = 0;
    for (const byOperation of this.rules.values()) for (const list of byOperation.values()) count += list.length;
    return count;
  }

  add(slug: string, operation: string, rule: Rule, source: string): void {
    if (!this.knownSlugs.has(slug)) {
      throw new Error(
        `${source}: unknown collection "${slug}" (known: ${[...this.knownSlugs].filter((known) => !known.startsWith('payload-')).sort().join(', ') || 'none'}).`,
      );
    }
    if (!isSocketOperation(operation)) {
      throw new Error(
        `${source}: unknown operation "${operation}" for collection "${slug}" (known: ${[...SEED_OPERATIONS, ...EXTRA_OPERATIONS].join(', ')}).`,
      );
    }
    if (typeof rule !== 'function' && (rule === null || typeof rule !== 'object')) {
      throw new Error(`${source}: a rule is an object of targets or a function, got ${typeof rule}.`);
    }
    const evaluate: RuleFunction = typeof rule === 'function' ? rule : () => rule;
    const byOperation = this.rules.get(slug) ?? new Map<string, CompiledRule[]>();
    byOperation.set(operation, [...(byOperation.get(operation) ?? []), { source, evaluate }]);
    this.rules.set(slug, byOperation);
  }

  /** The seed's source: `collection.custom.socketAccess[operation] = rule`. */
  addFromCollections(collections: SanitizedCollectionConfig[]): void {
    for (const collection of collections) {
      const socketAccess = collection.custom?.socketAccess as SocketAccessConfig | undefined;
      if (!socketAccess) continue;
      for (const [operation, rule] of Object.entries(socketAccess)) {
        if (rule === undefined || rule === null || (rule as unknown) === false) continue;
        this.add(collection.slug, operation, rule as Rule, `${collection.slug}.custom.socketAccess.${operation}`);
      }
    }
  }
}
