import type { Logger } from '@nestjs/common';
import type { PayloadRequest } from 'payload';
import type { Namespace } from 'socket.io';
import type { RoomNames } from '../session/rooms.js';
import type { Targets } from '../rules/rule.js';
import type { ScaleOut } from '../scale/scale-out.js';
import type { AccessAwareDelivery } from './access-aware-delivery.js';
import { stripSecrets } from './strip-secrets.js';
import type { Origin } from './origin.js';

export interface Delivery {
  slug: string;
  operation: string;
  /** Where the rule came from (`Class.method` or `slug.custom.socketAccess.op`), for error logs. */
  source: string;
  targets: Targets;
  /** The operation's result, already without secrets. */
  result: unknown;
  origin: Origin;
  /** The operation's request: access-aware delivery finds the stored documents through it. */
  req: PayloadRequest;
}

/**
 * targets → recipients → sockets. `true` sent to `public` or a room goes through access-aware delivery (each socket
 * gets what its user may read); `self` gets the requester's own result; any other value is sent as the rule built it.
 */
export class SocketDelivery {
  constructor(
    private readonly nsp: Namespace,
    private readonly rooms: RoomNames,
    private readonly eventName: (target: string, slug: string, operation: string) => string,
    private readonly accessAware: AccessAwareDelivery,
    private readonly logger: Logger,
    private readonly dev: boolean,
    private readonly scale: ScaleOut,
  ) {}

  /** Through the adapter (every instance, recoverable), or straight to this instance's sockets while Redis is down. */
  private get out() {
    return this.scale.healthy ? this.nsp : this.nsp.local;
  }

  async deliver({ slug, operation, source, targets, result, origin, req }: Delivery): Promise<void> {
    for (const [target, value] of Object.entries(targets)) {
      if (value === false || value === null || value === undefined) continue;
      try {
        const event = this.eventName(target, slug, operation);
        if (target === 'self') {
          this.toSelf(event, value === true ? result : value, origin);
        } else if (value === true && result === null) {
          // Nothing to check (forgotPassword's result is withheld): `null` to every target, as `self` gets.
          this.send(target, event, null);
        } else if (value === true) {
          const room = target === 'public' ? undefined : target;
          const docs = await this.accessAware.documents(slug, operation, result, req);
          if (!docs) continue;
          this.log(event, target, await this.accessAware.deliverLocal(event, room, slug, operation, result, docs));
          const shared = docs.map((doc) => doc && stripSecrets(doc)); // hashes and tokens never travel
          this.scale.bus?.publish({ type: 'deliver', event, room, slug, operation, result, docs: shared });
        } else {
          this.send(target, event, value);
        }
      } catch (error) {
        this.logger.error(
          `Emit of ${slug}.${operation} to "${target}" (rule ${source}) failed: ${(error as Error)?.message ?? error}`,
        );
      }
    }
  }

  /** A value sent as it is, to everyone or to a room. */
  private send(target: string, event: string, value: unknown): void {
    const room = target === 'public' ? undefined : target;
    (room ? this.out.to(room) : this.out).emit(event, value);
    this.log(event, target, room ? (this.nsp.adapter.rooms.get(room)?.size ?? 0) : this.nsp.sockets.size);
  }

  private toSelf(event: string, data: unknown, origin: Origin): void {
    const room = origin.sessionID ? this.rooms.session(origin.sessionID) : origin.socketId;
    if (!room) return; // no session behind the operation (a script, a timer): nobody is "self"
    this.out.to(room).emit(event, data);
    this.log(event, 'self', this.nsp.adapter.rooms.get(room)?.size ?? 0);
  }

  private log(event: string, target: string, recipients: number): void {
    if (this.dev) this.logger.log(`emit ${event} → ${target} (${recipients} local recipient${recipients === 1 ? '' : 's'})`);
  }
}
