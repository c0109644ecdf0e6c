/** jest + @swc/jest on ESM (see ../shared/notes/toolchain.md). */
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

const cores = availableParallelism();

// Suites are independent (own ports, databases, key prefixes, redis-servers): run them in parallel. Two workers on
// two cores; `TEST_WORKERS` overrides (1 = in band).
process.env.TEST_WORKERS ??= String(Math.max(2, cores));
const workers = Number(process.env.TEST_WORKERS);

/** CPU demand beside the suite now: the 1-minute load, or the runnable tasks at this moment if higher (burners just started). */
function busy() {
  let running = 0;
  try {
    running = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[3].split('/')[0]) - 1; // minus this process
  } catch {
    /* not Linux */
  }
  return Math.max(loadavg()[0], running, 0);
}

// Every timeout of the suites (jest's, and each wait in test/support/timing.ts) is multiplied by this scale: 2 on
// idle cores, more on a loaded machine. Waits end as soon as their condition holds, so a large scale costs nothing
// when tests pass. `TEST_TIME_SCALE` overrides; the workers inherit the value chosen here.
process.env.TEST_TIME_SCALE ??= (1 + (busy() + workers) / cores).toFixed(1);
const scale = Number(process.env.TEST_TIME_SCALE);

export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': '@swc/jest' },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Provides PostgreSQL (a throwaway cluster unless PG_ADMIN_URL is set), redis-server and Chromium.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: workers,
  testTimeout: Math.round(60_000 * scale),
};
