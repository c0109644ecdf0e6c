/** Anything a suite's setup may have started: an app, sockets, a database, a server, or a function that ends it. */
export type Part = { close(): unknown } | { drop(): unknown } | { stop(): unknown } | (() => unknown) | null | undefined | false;

/**
 * A suite's teardown that never throws because its setup failed: every part that exists is ended, in the order
 * given (`close`, else `drop`, else `stop`, else called); missing parts (the setup failed before them) are skipped;
 * one part failing does not keep the others open. The errors of the parts themselves are thrown at the end.
 *
 *   afterAll(() => closeAll(sockets, t, db));
 */
export async function closeAll(...parts: (Part | readonly Part[])[]): Promise<void> {
  const errors: unknown[] = [];
  for (const part of parts.flat()) {
    if (!part) continue;
    try {
      if (typeof part === 'function') await part();
      else if ('close' in part) await part.close();
      else if ('drop' in part) await part.drop();
      else await part.stop();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} parts failed to close`);
}

/**
 * A hook (`afterEach`, `beforeEach`) that only means something once the suite's setup started `part`: when the
 * setup failed, its own error already fails every test, and the hook does nothing instead of adding a TypeError.
 *
 *   afterEach(whenStarted(() => t, (t) => expect(t.logger.errors()).toEqual([])));
 */
export function whenStarted<T>(part: () => T | undefined, hook: (part: T) => unknown): () => Promise<void> {
  return async () => {
    const value = part();
    if (value !== undefined && value !== null) await hook(value);
  };
}
