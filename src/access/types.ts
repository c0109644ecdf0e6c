/** A user as Payload puts it on `req.user`: its auth `collection`, and `_strategy` (how it authenticated). */
export type RecipientUser = Record<string, unknown> & { id: string | number; collection?: string; _strategy?: string };

/**
 * Whom a view is computed for: what a REST request made with one socket's credential would carry. Sockets whose
 * recipients have equal keys would get equal answers from REST, so they share every decision and every view.
 */
export interface Recipient {
  key: string;
  /** `req.user` as Payload's auth strategy produced it, or `null` (anonymous). */
  user: RecipientUser | null;
  /** The locale the socket asked for at the handshake, judged as REST judges `?locale=`. */
  locale?: string;
  /** The credential's request headers (`Authorization`), as REST would see them. */
  headers?: Headers;
}

/** A document as the database adapter returns it: depth 0, every field, every locale. */
export type PlainDoc = Record<string, unknown>;

/** Counters so callers and tests can see what a delivery really cost. */
export interface AccessStats {
  /** collection `access.read` calls (one per distinct recipient per document) */
  accessEvaluations: number;
  /** `Where` results decided in memory (one per distinct `Where` per document) */
  whereMatches: number;
  /** database queries asked because a `Where` could not be proven in memory (one per distinct `Where`) */
  queries: number;
  /** runs of Payload's read pipeline (one per distinct view computed) */
  pipelineRuns: number;
}

export const emptyStats = (): AccessStats => ({ accessEvaluations: 0, whereMatches: 0, queries: 0, pipelineRuns: 0 });

export type AccessPhase = 'collection-access' | 'query' | 'read-pipeline';

/** Called when Payload's code throws while judging a recipient; that recipient is then denied. */
export type AccessErrorHandler = (error: unknown, info: { collection: string; phase: AccessPhase; recipient?: string }) => void;
