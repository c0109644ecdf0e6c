import 'reflect-metadata';
import { ConsoleLogger, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import { buildConfig, type CollectionConfig, type Config, type Plugin } from 'payload';
import { databaseAdapter } from '../../../sample/payload.config.js';
import { PayloadSocketModule, SessionIoAdapter, payloadSocketPlugin, type PayloadSocketOptions } from '../../../src/index.js';
import { listen, type TestApp } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/databases.js';
import { RoomJoiner } from './audience.js';

// Several apps with one schema boot in one file: without this the second schema push is skipped (notes/payload3.md).
process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true';

/** `sqlite` (no transactions, Payload's default), `sqlite-tx` (transactions on), `postgres`. */
export type DbKind = 'sqlite' | 'sqlite-tx' | 'postgres';
export const RULE_DATABASES = ['sqlite', 'postgres'] as const;
export const TRANSACTIONAL_DATABASES = ['sqlite-tx', 'postgres'] as const;

export interface RulesDatabase extends TestDatabase {
  dbKind: DbKind;
}

export async function rulesDatabase(kind: DbKind): Promise<RulesDatabase> {
  const db = await freshDatabase(kind === 'postgres' ? 'postgres' : 'sqlite');
  return { ...db, dbKind: kind };
}

function adapterFor(db: RulesDatabase) {
  if (db.dbKind === 'sqlite-tx') return sqliteAdapter({ client: { url: db.url }, transactionOptions: {} });
  return databaseAdapter(db.url);
}

/** Every line Nest's Logger printed, kept for assertions; nothing reaches the console. */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: { level: string; message: string }[] = [];

  constructor() {
    super();
    this.setLogLevels(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }

  private keep(level: string, message: unknown, rest: unknown[]): void {
    const stack = rest.find((part) => typeof part === 'string' && part.includes('\n    at '));
    this.lines.push({ level, message: `${String(message)}${stack ? `\n${stack}` : ''}` });
  }

  override log(message: unknown, ...rest: unknown[]) { this.keep('log', message, rest); }
  override error(message: unknown, ...rest: unknown[]) { this.keep('error', message, rest); }
  override warn(message: unknown, ...rest: unknown[]) { this.keep('warn', message, rest); }
  override debug(message: unknown, ...rest: unknown[]) { this.keep('debug', message, rest); }
  override verbose(message: unknown, ...rest: unknown[]) { this.keep('verbose', message, rest); }
  override fatal(message: unknown, ...rest: unknown[]) { this.keep('fatal', message, rest); }

  errors(): string[] {
    return this.lines.filter((line) => line.level === 'error' || line.level === 'fatal').map((line) => line.message);
  }
}

export interface RulesAppOptions {
  db: RulesDatabase;
  collections: CollectionConfig[];
  /** Nest providers (rule classes); the test's room joiner is always added. */
  providers?: Provider[];
  controllers?: Type[];
  /** Module options besides `config`. */
  module?: Omit<PayloadSocketOptions, 'config'>;
  /** Plugins applied after the module's own (their hooks run after its hooks). */
  pluginsAfter?: Plugin[];
  /** Anything else for the Payload config (onInit, …). */
  config?: Partial<Config>;
  /** false: no SessionIoAdapter (sockets have no session). */
  sessionAdapter?: boolean;
  /** false: no `@OnConnect` handler of the test (sockets join no room unless `module.onConnect` does it). */
  roomJoiner?: boolean;
}

export type RulesApp = TestApp & { logger: CapturingLogger };

/** A Nest app with the module on the given database, the test's collections and rule providers, on a free port. */
export async function startRulesApp(options: RulesAppOptions): Promise<RulesApp> {
  const config = buildConfig({
    secret: `rules-spec-${options.db.dbKind}`,
    db: adapterFor(options.db),
    collections: options.collections,
    typescript: { autoGenerate: false },
    telemetry: false,
    logger: { options: { level: 'fatal' } },
    ...options.config,
    plugins: [payloadSocketPlugin(), ...(options.pluginsAfter ?? [])],
  });
  const metadata: ModuleMetadata = {
    imports: [PayloadSocketModule.forRoot({ ...options.module, config })],
    providers: [...(options.roomJoiner === false ? [] : [RoomJoiner]), ...(options.providers ?? [])],
    controllers: options.controllers ?? [],
  };
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger });
  if (options.sessionAdapter !== false) app.useWebSocketAdapter(new SessionIoAdapter(app));
  try {
    return { ...(await listen(app)), logger };
  } catch (error) {
    await app.close().catch(() => undefined); // a failed boot still opened Payload and its database
    throw error;
  }
}

/** A collection anyone may read and write, with a required `title`. */
export function openCollection(slug: string, extra: Partial<CollectionConfig> = {}): CollectionConfig {
  return {
    slug,
    access: { read: () => true, create: () => true, update: () => true, delete: () => true },
    fields: [{ name: 'title', type: 'text', required: true }],
    ...extra,
  };
}

/** An auth collection anyone may read (so `public: true` reaches anonymous sockets), with API keys on. */
export function openUsers(extra: Partial<CollectionConfig> = {}): CollectionConfig {
  return {
    slug: 'users',
    auth: { maxLoginAttempts: 0, useAPIKey: true },
    access: { read: () => true },
    fields: [{ name: 'name', type: 'text' }],
    ...extra,
  };
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** JSON round trip: what a socket receives for a value. */
export const asSent = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
