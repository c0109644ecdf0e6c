import { buildConfig } from 'payload';
import { databaseAdapter } from '../../sample/payload.config.js';
import { PayloadSocketModule, payloadSocketPlugin } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient } from '../support/clients.js';
import { testPosts, testUsers } from '../support/collections.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { closeAll } from '../support/teardown.js';

interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string; stack?: string };
}

/**
 * A wrong password is the client's mistake: Payload logs errors it has no `loggingLevels` entry for at `error` with
 * their stack; the module gives its 4xx errors one `info` line. Server errors keep their stack.
 */
describe("Payload's client errors (4xx) in the log", () => {
  let db: TestDatabase;
  let t: TestApp;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    const config = buildConfig({
      secret: 'client-error-logs-spec',
      db: databaseAdapter(db.url),
      collections: [
        testUsers,
        {
          ...testPosts,
          hooks: { beforeChange: [({ data }) => (data.title === 'boom' ? Promise.reject(new Error('boom in a hook')) : data)] },
        },
      ],
      typescript: { autoGenerate: false },
      telemetry: false,
      logger: { options: { level: 'info' }, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } },
      plugins: [payloadSocketPlugin()],
    });
    t = await startApp({ imports: [PayloadSocketModule.forRoot({ config })] });
  });

  afterAll(() => closeAll(t, db));

  const about = (text: string) => lines.filter((line) => JSON.stringify(line).includes(text));

  it('logs a wrong-password login and a bad query as one info line each, without a stack', async () => {
    const http = new HttpClient(t.url);
    expect((await http.post('/api/users/first-register', { email: 'admin@example.com', password: 'right password' })).status).toBe(200);

    const login = await new HttpClient(t.url).post('/api/users/login', { email: 'admin@example.com', password: 'wrong password' });
    expect(login.status).toBe(401);
    const query = await http.get('/api/posts?where[nope][equals]=1');
    expect(query.status).toBe(400);

    for (const message of [login.body.errors[0].message, query.body.errors[0].message]) {
      expect(about(message)).toEqual([{ level: 30, msg: message, time: expect.any(Number), pid: expect.any(Number), hostname: expect.any(String), name: 'payload' }]);
    }
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('still logs a server error (500) at error level with its stack', async () => {
    const failed = await new HttpClient(t.url).post('/api/posts', { title: 'boom' });
    expect(failed.status).toBe(500);
    const [logged] = about('boom in a hook');
    expect(logged).toMatchObject({ level: 50, err: { message: 'boom in a hook', stack: expect.stringContaining('Error: boom in a hook') } });
  });
});
