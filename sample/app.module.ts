import { Module, type DynamicModule } from '@nestjs/common';
import { PayloadSocketModule } from '../src/index.js';
import { sampleConfig, type SampleSettings } from './payload.config.js';
import { PostsRules } from './posts.rules.js';
import { RoomsHandler } from './rooms.handler.js';

export interface SampleOptions extends SampleSettings {
  dev?: boolean;
  /** Several instances on one database and one Redis behave as one. */
  redisUrl?: string;
  /** Redis key prefix (one per app sharing a Redis). */
  redisKeyPrefix?: string;
}

@Module({})
export class AppModule {
  static register(options: SampleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PayloadSocketModule.forRoot({
          config: sampleConfig(options),
          dev: options.dev,
          cors: { origin: options.allowedOrigins ?? [], credentials: true },
          recovery: { maxDisconnectionDuration: 2 * 60_000 },
          ...(options.redisUrl ? { redis: { url: options.redisUrl, keyPrefix: options.redisKeyPrefix } } : {}),
        }),
      ],
      providers: [PostsRules, RoomsHandler],
    };
  }
}
