import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { Payload } from 'payload';
import { PayloadSocketModule } from '../../src/index.js';
import { SESSIONS_COLLECTION_SLUG } from '../../src/session/stores/payload-session-store.js';
import { PG_SESSION_SCHEMA, PG_SESSION_TABLE } from '../../src/session/stores/postgres-session-store.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { DATABASE_KINDS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { gatewayConfig, pollingHandshake, SessionCounterController, sessionCookieIn, SessionProbe, sessionIdOf, startGatewayApp, websocketHandshake } from './support.js';

/**
 * Issue 13 (6): every anonymous Engine.IO handshake wrote a session row (a flood: +1,166 rows). A session that
 * never carries data costs no write now, and still works as before.
 */

/** Rows in the session store, read past it: the PostgreSQL table or the SQLite collection. */
async function sessionRows(payload: Payload): Promise<number> {
  const pool = (payload.db as unknown as { pool?: { query(sql: string): Promise<{ rows: { n: number }[] }> } }).pool;
  if (pool) return (await pool.query(`SELECT count(*)::int AS n FROM "${PG_SESSION_SCHEMA}"."${PG_SESSION_TABLE}"`)).rows[0].n;
  return (await payload.count({ collection: SESSIONS_COLLECTION_SLUG as 'users', overrideAccess: true })).totalDocs;
}

@Controller('test-session')
class SessionEndController {
  @Get('destroy')
  destroy(@Req() req: Request) {
    return new Promise((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve({ destroyed: true }))));
  }
}

describe.each(DATABASE_KINDS)('anonymous handshakes and the session store on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, `handshake-flood-${kind}`) })],
      controllers: [SessionCounterController, SessionEndController],
      providers: [SessionProbe],
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('writes no session row for anonymous handshakes that never carry data, websocket or polling', async () => {
    const before = await sessionRows(t.payload);
    for (let i = 0; i < 10; i++) expect((await websocketHandshake(t.url)).status).toBe(101);
    for (let i = 0; i < 10; i++) expect((await pollingHandshake(t.url, '127.0.0.1')).status).toBe(200);
    for (let i = 0; i < 5; i++) sockets.push(await connectSocket(t.url, { transports: i % 2 ? ['polling'] : ['websocket'] }));
    expect(await sessionRows(t.payload)).toBe(before);
  });

  it('still gives each one a session that lives on: over HTTP, on reconnect, and stored once it carries data', async () => {
    const handshake = await websocketHandshake(t.url);
    const cookie = sessionCookieIn([handshake.headers['set-cookie'] ?? []].flat())!;
    const sid = sessionIdOf(cookie);
    const http = new HttpClient(t.url);
    http.cookies.set('connect.sid', cookie);
    expect((await http.get('/test-session/peek')).body).toEqual({ counter: null, sessionID: sid });
    expect(http.cookies.get('connect.sid')).toBe(cookie); // the same session, not a new one

    // A reconnect with that cookie is the same session too, and a socket may store data in it.
    const socket = await connectSocket(t.url, { cookie: http.cookieHeader });
    sockets.push(socket);
    expect(await socket.emitWithAck('session?')).toEqual({ counter: null, sessionID: sid });
    expect(await socket.emitWithAck('session~')).toBeNull(); // a reload finds it as well
    const before = await sessionRows(t.payload);
    expect(await socket.emitWithAck('session+')).toBe(10);
    expect(await sessionRows(t.payload)).toBe(before + 1);
    expect((await http.get('/test-session/counter')).body).toEqual({ counter: 11, sessionID: sid });
  });

  it('a destroyed handshake session stays destroyed: its old cookie gets a new session', async () => {
    const cookie = (await pollingHandshake(t.url, '127.0.0.1')).cookie!;
    const http = new HttpClient(t.url);
    http.cookies.set('connect.sid', cookie);
    expect((await http.get('/test-session/destroy')).body).toEqual({ destroyed: true });
    const stale = new HttpClient(t.url);
    stale.cookies.set('connect.sid', cookie);
    const after = await stale.get('/test-session/peek');
    expect(after.body.sessionID).not.toBe(sessionIdOf(cookie));
    expect(stale.cookies.get('connect.sid')).not.toBe(cookie);
  });
});
