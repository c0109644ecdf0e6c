import type { Payload, PayloadRequest } from 'payload';

type Job = () => void;
type TransactionId = string | number;

/**
 * Holds emits until the write that caused them is committed. Hooks run inside the transaction, so another
 * connection (a client that GETs the document on receipt) could not see the row yet; a rolled-back write must
 * emit nothing. Without a transaction (SQLite's default) the write is already durable: run at once.
 */
const queues = new WeakMap<object, Map<TransactionId, Job[]>>();

export function runAfterCommit(req: PayloadRequest, job: Job): void {
  runAfterCommitOf(req.payload, req.transactionID, job);
}

/** The same for a write that only has its transaction id (an adapter call's `req` may be `{ transactionID }`). */
export function runAfterCommitOf(payload: Payload, transactionID: unknown, job: Job): void {
  const db = payload.db as unknown as { sessions?: Record<string, unknown> };
  const id = transactionID;
  const pending = queues.get(db);
  // Only a real id with a live session is a transaction: the field can also hold a Promise, null or `{}`.
  if (pending && (typeof id === 'string' || typeof id === 'number') && db.sessions?.[id]) {
    pending.set(id, [...(pending.get(id) ?? []), job]);
    return;
  }
  // Never inside the write's own call stack, yet queued before the operation returns to its caller: whoever then
  // waits for the emitter to go idle (shutdown, tests) waits for this emit too. setImmediate would run it later.
  queueMicrotask(job);
}

/** Wraps the adapter's commit and rollback once per instance so queued jobs run or drop with the transaction. */
export function installCommitQueue(payload: Payload): void {
  const db = payload.db;
  if (queues.has(db)) return;
  const pending = new Map<TransactionId, Job[]>();
  queues.set(db, pending);
  const resolve = async (id: unknown): Promise<TransactionId | undefined> => {
    const value = await id;
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  };
  const { commitTransaction, rollbackTransaction } = db;
  if (commitTransaction) {
    db.commitTransaction = async (id) => {
      const key = await resolve(id);
      const jobs = key === undefined ? undefined : pending.get(key);
      if (key !== undefined) pending.delete(key);
      await commitTransaction.call(db, id); // a failed commit throws here: its jobs are dropped
      for (const job of jobs ?? []) job();
    };
  }
  if (rollbackTransaction) {
    db.rollbackTransaction = async (id) => {
      const key = await resolve(id);
      if (key !== undefined) pending.delete(key);
      return rollbackTransaction.call(db, id);
    };
  }
}
