import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Payload } from 'payload';
import { PAYLOAD_INSTANCE, PAYLOAD_SOCKET_OPTIONS, SESSION_MIDDLEWARE } from '../constants.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionRuntime } from '../session/session-middleware.js';
import { RealtimeService } from '../emitting/realtime.service.js';
import { shutdownPayload } from './boot-payload.js';

/** Closes what the module opened, on `app.close()`: the session store, then Payload and its database pool. */
@Injectable()
export class PayloadLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(PAYLOAD_SOCKET_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(PAYLOAD_INSTANCE) private readonly payload: Payload,
    @Inject(SESSION_MIDDLEWARE) private readonly session: SessionRuntime,
    private readonly realtime: RealtimeService,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.realtime.idle(); // emits still queued may run access functions against the database
    await this.session.close();
    await shutdownPayload(this.payload, this.options.payloadKey!);
  }
}
