import type { Payload, PayloadRequest } from 'payload';
import { createAccessRequest } from './access-request.js';
import { accessResultKey, decideWhere, evaluateCollectionRead, type CollectionAccessResult } from './collection-access.js';
import { buildFieldView } from './field-view.js';
import { accessContext, collectionConfig, readView, type ReadViewOptions } from './read-view.js';
import { stableKey } from './stable-key.js';
import { fieldsDependOnUser } from './user-dependence.js';
import { emptyStats, principalKey, type AccessErrorHandler, type AccessStats, type PlainDoc, type Principal } from './types.js';

/** Principals who all receive exactly `view` (treat it as read-only: it may be shared). */
export interface ViewGroup {
  view: PlainDoc;
  principals: Principal[];
}

export interface AccessEvaluatorOptions {
  onError?: AccessErrorHandler;
}

export interface GroupOptions {
  /** The document no longer exists: undecidable `Where`s deny instead of querying. */
  deleted?: boolean;
}

interface Evaluated {
  user: Principal;
  req: PayloadRequest;
  result: CollectionAccessResult;
}

/**
 * The cost saver: per document, decides for many principals at once what each may read.
 *
 * - collection `access.read`: once per distinct principal (it receives the user, and may depend on anything
 *   in it); sockets of the same user share the result.
 * - identical outcomes are grouped (`true`, `false`, equal `Where`s): each distinct `Where` is matched in
 *   memory once, and at worst costs one query.
 * - field walk: once for everybody when no field's read access / default depends on the user, otherwise once
 *   per allowed principal; equal views are merged so the caller emits once per distinct view.
 */
export class AccessEvaluator {
  readonly stats: AccessStats = emptyStats();

  constructor(
    private readonly payload: Payload,
    private readonly options: AccessEvaluatorOptions = {},
  ) {}

  resetStats(): void {
    Object.assign(this.stats, emptyStats());
  }

  /** One principal's view (no grouping); `null` when denied. */
  readView(collection: string, doc: PlainDoc, user: Principal, options: ReadViewOptions = {}): Promise<PlainDoc | null> {
    return readView(this.payload, collection, doc, user, { onError: this.options.onError, ...options, stats: this.stats });
  }

  /** Groups of principals allowed to read `doc`, each with the view they get. Denied principals are left out. */
  async groups(collection: string, doc: PlainDoc, principals: Principal[], options: GroupOptions = {}): Promise<ViewGroup[]> {
    const config = collectionConfig(this.payload, collection);
    const ctx = accessContext(collection, { onError: this.options.onError, stats: this.stats });

    const distinct = new Map<string, Principal>();
    for (const user of principals) if (!distinct.has(principalKey(user))) distinct.set(principalKey(user), user);

    const evaluated: Evaluated[] = await Promise.all(
      [...distinct.values()].map(async (user) => {
        const req = await createAccessRequest(this.payload, user);
        return { user, req, result: await evaluateCollectionRead(config, req, doc.id, ctx) };
      }),
    );

    const outcomes = new Map<string, Evaluated[]>();
    for (const entry of evaluated) {
      const key = accessResultKey(entry.result);
      const members = outcomes.get(key);
      if (members) members.push(entry);
      else outcomes.set(key, [entry]);
    }

    const decided = await Promise.all(
      [...outcomes.values()].map(async (members) => {
        const { result } = members[0];
        if (result === false) return [];
        if (result === true) return members;
        const allowed = await decideWhere(this.payload, result, doc, options.deleted === true, ctx);
        return allowed ? members : [];
      }),
    );
    const allowed = decided.flat();
    if (allowed.length === 0) return [];

    if (!fieldsDependOnUser(this.payload, config)) {
      const view = await buildFieldView(config, doc, allowed[0].req, ctx);
      return [{ view, principals: allowed.map((a) => a.user) }];
    }

    const views = await Promise.all(allowed.map((a) => buildFieldView(config, doc, a.req, ctx)));
    const byView = new Map<string, ViewGroup>();
    views.forEach((view, i) => {
      const key = stableKey(view);
      const group = byView.get(key);
      if (group) group.principals.push(allowed[i].user);
      else byView.set(key, { view, principals: [allowed[i].user] });
    });
    return [...byView.values()];
  }
}
