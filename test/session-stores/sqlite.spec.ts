/** The default store on SQLite (@payloadcms/db-sqlite, libsql file): the Payload-collection store. */
import { createSessionStore } from '../../src/session/stores/create-session-store.js';
import { tempSqliteFile } from './harness.js';
import { storeSuite } from './suite.js';

storeSuite('session store on SQLite (createSessionStore → Payload collection)', {
  kind: 'payload-collection',
  async newTarget() {
    const tmp = tempSqliteFile();
    return { target: { kind: 'sqlite', file: tmp.file }, cleanup: async () => tmp.remove() };
  },
  makeStore: (payload, options) => createSessionStore(payload, options),
});
