/** jest globalTeardown: stops and deletes the throwaway PostgreSQL cluster of globalSetup, if it started one. */
export default async function globalTeardown(): Promise<void> {
  globalThis.__npsPostgresCluster?.stop();
  globalThis.__npsPostgresCluster = undefined;
}
