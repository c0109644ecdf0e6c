import { buildConfig, getPayload } from 'payload';
import { postgresAdapter } from '@payloadcms/db-postgres';
process.env.DISABLE_PAYLOAD_HMR = 'true';
const config = await buildConfig({
  secret: 'x', typescript: { autoGenerate: false }, telemetry: false,
  db: postgresAdapter({ pool: { connectionString: 'postgres://nps_test:nps_test@127.0.0.1:5432/nps_scratch' } }),
  collections: [],
});
const payload = await getPayload({ config, key: 'a' });
await payload.destroy();
const pool = payload.db.pool;
const mode = process.argv[2];
if (mode === 'end') {
  const r = await Promise.race([pool.end().then(() => 'ended'), new Promise(r => setTimeout(() => r('timeout'), 2000).unref())]);
  console.log('pool.end', r);
} else {
  const p = pool.end();
  for (const c of [...pool._clients]) c.end();
  console.log('after manual', await Promise.race([p.then(() => 'ended'), new Promise(r => setTimeout(() => r('timeout'), 2000).unref())]));
}
setTimeout(() => { console.log('handles', process._getActiveHandles().map(h => h.constructor.name)); }, 500).unref();
