import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createSampleApp } from './app.js';

const started = performance.now();
const logger = new Logger('Sample');
const port = Number(process.env.PORT ?? 3000);
const databaseUrl = process.env.DATABASE_URL ?? 'file:./sample/data/sample.db';
let secret = process.env.PAYLOAD_SECRET;
if (!secret) {
  secret = 'sample-dev-secret-change-me';
  logger.warn('PAYLOAD_SECRET is not set: using a development secret. Set it in production.');
}
const allowedOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`, ...(process.env.ALLOWED_ORIGINS?.split(',') ?? [])];

const redisUrl = process.env.REDIS_URL || undefined;
const app = await createSampleApp({ databaseUrl, secret, allowedOrigins, redisUrl, dev: process.env.DEV === 'true' });
await app.listen(port);
const { port: listening } = app.getHttpServer().address() as AddressInfo; // PORT=0: a free port
console.log(`Serving http://localhost:${listening} (API at /api, database ${redact(databaseUrl)}${redisUrl ? `, Redis ${redact(redisUrl)}` : ''}) — started in ${Math.round(performance.now() - started)} ms`);

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
