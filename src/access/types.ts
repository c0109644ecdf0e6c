/** A socket's user: a user document carrying its auth `collection` (as Payload puts it on `req.user`), or `null`. */
export type Principal = (Record<string, unknown> & { id: string | number; collection?: string }) | null;

/** A depth-0 document as Payload's Local API returns it (plain JSON-like object with an `id`). */
export type PlainDoc = Record<string, unknown>;

/** Counters so callers and tests can see what a delivery really cost. */
export interface AccessStats {
  /** collection `access.read` calls (one per distinct principal per document) */
  accessEvaluations: number;
  /** in-memory `Where` matches (one per distinct `Where`) */
  whereMatches: number;
  /** database queries made because a `Where` could not be decided in memory */
  queries: number;
  /** field-level walks (hidden + field access), one per view computed */
  fieldWalks: number;
  /** field `access.read` calls */
  fieldAccessCalls: number;
}

export const emptyStats = (): AccessStats => ({
  accessEvaluations: 0,
  whereMatches: 0,
  queries: 0,
  fieldWalks: 0,
  fieldAccessCalls: 0,
});

export type AccessPhase = 'collection-access' | 'field-access' | 'default-value' | 'query';

/** Called when an access function (or the fallback query) throws; the principal is then denied. */
export type AccessErrorHandler = (
  error: unknown,
  info: { collection: string; phase: AccessPhase; field?: string; userId?: string | number | null },
) => void;

export interface AccessContext {
  collection: string;
  stats: AccessStats;
  onError: AccessErrorHandler;
}

/** Key identifying one principal: two sockets of the same user share every access decision. */
export const principalKey = (user: Principal): string =>
  user === null ? 'anonymous' : `${String(user.collection ?? '')}:${String(user.id)}`;
