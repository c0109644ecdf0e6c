import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Payload } from 'payload';
import { Namespace, type Server, type Socket } from 'socket.io';
import { PAYLOAD_INSTANCE, PAYLOAD_SOCKET_OPTIONS } from '../constants.js';
import { SocketAuthenticator } from '../auth/socket-authenticator.js';
import { ConnectionHandler } from '../gateway/connection-handler.js';
import { connectionCaps, limitInboundRate } from '../gateway/inbound-limits.js';
import { OnConnectExplorer } from '../gateway/on-connect.explorer.js';
import type { ResolvedOptions } from '../options.js';
import { registerSink, unregisterSink } from '../plugin/realtime-registry.js';
import { SocketAccessExplorer } from '../rules/socket-access.explorer.js';
import { RoomNames, isUserRoom } from '../session/rooms.js';
import type { ClusterMessage } from '../scale/cluster-bus.js';
import { replayOperation } from '../scale/operation-relay.js';
import { ScaleOut } from '../scale/scale-out.js';
import { tellIfNotRecovered } from '../scale/recovery-sessions.js';
import { AccessAwareDelivery } from './access-aware-delivery.js';
import { OperationEmitter } from './operation-emitter.js';
import { SocketDelivery } from './socket-delivery.js';

/**
 * Joins the two halves once both exist: the Socket.IO namespace (from the gateway) and the rule table (from
 * discovery). Then it registers the emitter as the sink of Payload's hooks.
 */
/** Sent to each new socket when recovery is on (see `connect`); clients may ignore it. */
export const RECOVERY_MARK_EVENT = 'payload-socket:ready';

@Injectable()
export class RealtimeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PayloadSocket');
  readonly rooms: RoomNames;
  readonly auth: SocketAuthenticator;
  private readonly connections: ConnectionHandler;
  private nsp?: Namespace;
  private emitter?: OperationEmitter;
  private accessAware?: AccessAwareDelivery;
  private recoveredConnects: (socket: Socket) => void = () => undefined;

  constructor(
    @Inject(PAYLOAD_SOCKET_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(PAYLOAD_INSTANCE) private readonly payload: Payload,
    private readonly rules: SocketAccessExplorer,
    connectHandlers: OnConnectExplorer,
    private readonly scale: ScaleOut,
  ) {
    this.rooms = new RoomNames(payload.secret);
    this.auth = new SocketAuthenticator(payload, this.rooms, options.auth ?? {}, corsOrigins(options), this.logger);
    const limits = options.limits ?? {};
    this.connections = new ConnectionHandler(this.rooms, () => connectHandlers.handlers, this.logger, options.dev, (socket) => {
      this.auth.connect(socket);
      limitInboundRate(socket, limits);
    });
  }

  /**
   * Every socket of one Payload user, on every instance: `realtime.toUser('users', id).emit('notice', data)`.
   * What you send this way is not access-checked: send only what that user may read.
   */
  toUser(collection: string, id: string | number): ReturnType<Namespace['to']> {
    if (!this.nsp) throw new Error('PayloadSocketModule is disabled: there are no sockets.');
    // While Redis is down: this instance's sockets at once, not after Redis returns (as SocketDelivery does).
    return (this.scale.healthy ? this.nsp : this.nsp.local).to(this.rooms.user(collection, id));
  }

  /** The access engine's counters (evaluations, queries), for tests and benchmarks. */
  get accessStats() {
    return this.accessAware?.views.stats;
  }

  /** The module's Socket.IO namespace (undefined when disabled). */
  get namespace(): Namespace | undefined {
    return this.nsp;
  }

  /** Called by the gateway once Nest has created the Socket.IO server. */
  attach(server: Server | Namespace): void {
    this.nsp = server instanceof Namespace ? server : server.of(this.options.namespace);
    forgetUserRoomsOnPersist(this.nsp);
    this.recoveredConnects = this.scale.keepRecoverable(this.nsp); // recoverable even if this instance dies
    this.nsp.use(this.auth.middleware);
    this.nsp.use(connectionCaps(this.nsp, this.rooms, this.options.limits ?? {}));
    if (!(this.nsp.server.engine as { payloadSocketSession?: boolean }).payloadSocketSession) {
      this.logger.warn('The Socket.IO server has no session: use app.useWebSocketAdapter(new SessionIoAdapter(app)). `self` emits will reach nobody.');
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.nsp) return;
    this.accessAware = new AccessAwareDelivery(this.nsp, this.payload, this.auth, this.logger);
    const delivery = new SocketDelivery(this.nsp, this.rooms, this.options.eventName, this.accessAware, this.logger, this.options.dev, this.scale);
    this.emitter = new OperationEmitter(this.rules.table, delivery, this.logger, (collection, id) => this.auth.refresh(collection, id));
    registerSink(this.payload, this.emitter);
    this.auth.start(this.nsp);
    await this.scale.bus?.listen((message, sender) => void this.receive(message, sender));
  }

  /** Work other instances and publishing processes hand to this one. */
  private async receive(message: ClusterMessage, sender: string): Promise<void> {
    try {
      if (message.type === 'deliver') {
        const { event, room, slug, operation, result, docs } = message;
        await this.accessAware!.deliverLocal(event, room, slug, operation, result, docs);
      } else if (await this.scale.bus!.owns(sender)) {
        await replayOperation(this.payload, this.emitter!, message);
      }
    } catch (error) {
      this.logger.error(`Handling a ${message.type} message from another instance failed: ${(error as Error)?.message ?? error}`);
    }
  }

  connect(socket: Socket): void {
    if (socket.recovered) this.recoveredConnects(socket); // first, what was broadcast while it was being recovered
    this.connections.connect(socket, this.nsp!.server);
    // Socket.IO recovers from the offset of the last packet a client received: give a new socket one at once,
    // or a drop before its first event could not be recovered.
    if (this.options.recovery && !socket.recovered) {
      tellIfNotRecovered(socket); // it asked to be recovered and was not: what it missed is not coming
      this.nsp!.to(socket.id).emit(RECOVERY_MARK_EVENT);
    }
  }

  /** Resolves when every emit queued so far has been handed to Socket.IO. */
  idle(): Promise<void> {
    return this.emitter?.idle() ?? Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    unregisterSink(this.payload);
    this.auth.stop();
    await this.idle();
  }
}

/**
 * Connection state recovery replays what was sent to the rooms a socket was in before the drop — before the
 * middleware has checked who comes back. A user room's packets are for that user only: the room is left out of the
 * saved session, so they are never replayed (the socket rejoins the room once its credential is checked again).
 * Patched on the adapter instance: Socket.IO has no hook between saving a session and replaying it.
 */
function forgetUserRoomsOnPersist(nsp: Namespace): void {
  const adapter = nsp.adapter as unknown as { persistSession?: (session: { rooms: string[] }) => unknown };
  const persist = adapter.persistSession?.bind(adapter);
  if (!persist) return;
  adapter.persistSession = (session) => persist({ ...session, rooms: session.rooms.filter((room) => !isUserRoom(room)) });
}

function corsOrigins(options: ResolvedOptions): string[] {
  const origin = (options.cors as { origin?: unknown } | undefined)?.origin;
  if (typeof origin === 'string') return [origin];
  return Array.isArray(origin) ? origin.filter((o): o is string => typeof o === 'string') : [];
}
