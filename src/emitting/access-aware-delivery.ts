import type { Logger } from '@nestjs/common';
import type { Payload } from 'payload';
import type { Namespace } from 'socket.io';

/** Placeholder until the access engine lands: delivers `true` results to nobody (secure default). */
export class AccessAwareDelivery {
  constructor(
    private readonly nsp: Namespace,
    private readonly payload: Payload,
    private readonly logger: Logger,
  ) {}

  async deliver(event: string, room: string | undefined, slug: string, result: unknown): Promise<number> {
    void event; void room; void slug; void result;
    return 0;
  }
}
