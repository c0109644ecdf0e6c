/**
 * The suites' time scale: every timeout a test waits up to is `ms × TIME_SCALE`, so a loaded machine (parallel
 * workers, other processes) gets longer bounds and an idle one fails fast. jest.config.js picks it from the load
 * at start (2 on idle cores) unless `TEST_TIME_SCALE` is set. Waits still end the moment their condition holds.
 */
export const TIME_SCALE = Math.max(1, Number(process.env.TEST_TIME_SCALE) || 1);

/** A timeout in ms, scaled. */
export const scaled = (ms: number): number => Math.round(ms * TIME_SCALE);
