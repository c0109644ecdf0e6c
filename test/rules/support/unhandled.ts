import vm from 'node:vm';
import { delay } from './harness.js';

type Listener = (...args: unknown[]) => void;

/**
 * Records unhandled rejections of the real Node process. Jest gives a test file a copy of `process` whose
 * listeners never hear the real one's events, so the listener goes on the process of the main realm.
 */
export function unhandledRejections() {
  const real = new vm.Script('process').runInThisContext() as NodeJS.Process;
  const seen: unknown[] = [];
  const listener: Listener = (reason) => void seen.push(reason);
  return {
    seen,
    start: () => void real.on('unhandledRejection', listener),
    stop: () => void real.off('unhandledRejection', listener),
    /** Proves the listener hears a real unhandled rejection (Jest's own listeners are set aside meanwhile). */
    async probe(): Promise<unknown[]> {
      const others = real.rawListeners('unhandledRejection').filter((l) => l !== listener) as Listener[];
      for (const other of others) real.off('unhandledRejection', other);
      try {
        void Promise.reject(new Error('probe'));
        await delay(20);
      } finally {
        for (const other of others) real.on('unhandledRejection', other);
      }
      return seen.splice(0);
    },
  };
}
