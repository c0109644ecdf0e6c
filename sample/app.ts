import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionIoAdapter } from '../src/index.js';
import { AppModule, type SampleOptions } from './app.module.js';

const publicFolder = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** The sample app, as `npm start` runs it and as the tests start it (on a free port, own database). */
export async function createSampleApp(options: SampleOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(options), {
    logger: options.dev ? undefined : ['error', 'warn'],
    abortOnError: false, // a boot error is thrown (main.ts exits with it; a test fails) instead of process.exit(1)
  });
  app.useWebSocketAdapter(new SessionIoAdapter(app));
  app.useStaticAssets(publicFolder);
  app.enableShutdownHooks();
  return app;
}
