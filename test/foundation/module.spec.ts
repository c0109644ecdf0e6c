import { Body, Controller, Get, Inject, Injectable, Module, Param, Post } from '@nestjs/common';
import { existsSync } from 'node:fs';
import type { Payload } from 'payload';
import { InjectPayload, PayloadSocketModule } from '../../src/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { HttpClient } from '../support/clients.js';
import { DATABASE_KINDS, freshDatabase, postgresConnections, type TestDatabase } from '../support/databases.js';
import { foundationConfig } from './fixtures.js';
import { closeAll } from '../support/teardown.js';

/** The test's own config module: it provides the database URL and secret through a token, as a user's would. */
const SETTINGS = Symbol('SETTINGS');
interface Settings {
  databaseUrl: string;
  secret: string;
}

@Module({})
class SettingsModule {
  static with(settings: Settings) {
    return { module: SettingsModule, providers: [{ provide: SETTINGS, useValue: settings }], exports: [SETTINGS] };
  }
}

/** A user's provider that works with Payload's Local API. */
@Injectable()
class PostsService {
  constructor(@InjectPayload() private readonly payload: Payload) {}

  create(title: string) {
    return this.payload.create({ collection: 'posts', data: { title } });
  }

  read(id: string) {
    return this.payload.findByID({ collection: 'posts', id });
  }
}

@Controller('local-posts')
class LocalPostsController {
  constructor(@Inject(PostsService) private readonly posts: PostsService) {}

  @Post()
  create(@Body() body: { title: string }) {
    return this.posts.create(body.title);
  }

  @Get(':id')
  read(@Param('id') id: string) {
    return this.posts.read(id);
  }
}

describe.each(DATABASE_KINDS)('PayloadSocketModule.forRootAsync and @InjectPayload on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let http: HttpClient;
  const secret = `module-spec-${kind}-secret`;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startApp({
      imports: [
        PayloadSocketModule.forRootAsync({
          imports: [SettingsModule.with({ databaseUrl: db.url, secret })],
          inject: [SETTINGS],
          useFactory: (settings: Settings) => ({ config: foundationConfig(settings.databaseUrl, settings.secret) }),
        }),
      ],
      controllers: [LocalPostsController],
      providers: [PostsService],
    });
    http = new HttpClient(t.url);
  });

  afterAll(() => closeAll(t, db));

  it('boots Payload from the injected settings and serves GET /api/posts', async () => {
    expect(t.payload.config.secret).toBe(secret);
    // the database is the one the token named
    if (kind === 'postgres') expect(await postgresConnections(db.url)).toBeGreaterThan(0);
    else expect(existsSync(db.url.slice('file:'.length))).toBe(true);

    const empty = await http.get('/api/posts');
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ docs: [], totalDocs: 0 });
    expect((await http.post('/api/posts', { title: 'over REST' })).status).toBe(201);
    expect((await http.get('/api/posts')).body.docs.map((d: { title: string }) => d.title)).toEqual(['over REST']);
  });

  it('gives a user provider a working Local API through @InjectPayload()', async () => {
    expect(t.app.get(PostsService)).toBeInstanceOf(PostsService);
    const created = await http.post('/local-posts', { title: 'through the Local API' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.anything(), title: 'through the Local API' });

    const read = await http.get(`/local-posts/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, title: 'through the Local API' });

    // the same document, seen through Payload's REST API: one Payload instance behind both
    const overRest = await http.get(`/api/posts/${created.body.id}`);
    expect(overRest.status).toBe(200);
    expect(overRest.body.title).toBe('through the Local API');
  });
});
