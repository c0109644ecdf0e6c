import type { Logger } from '@nestjs/common';
import { Socket, type Server } from 'socket.io';
import { isReservedRoom, type RoomNames } from '../session/rooms.js';
import { runInHandlerScope } from './listener-guard.js';
import type { ConnectHandler } from './on-connect.explorer.js';

/**
 * The module's own work on every new socket, then the user's `@OnConnect` handlers. Rooms first, so handlers
 * and rules already see them; handlers are started synchronously one after the other, so listeners they attach
 * exist before the client's first event arrives; each failure stays with its handler, and so does each failure of
 * a listener a handler attached.
 */
export class ConnectionHandler {
  /** One guarded `join` shared by every socket (a per-socket closure would cost memory on each of them). */
  private readonly guardedJoin: Socket['join'];

  constructor(
    private readonly rooms: RoomNames,
    private readonly handlers: () => ConnectHandler[],
    private readonly logger: Logger,
    private readonly dev: boolean,
    /** The module's other per-socket work (user room, inbound limits). */
    private readonly prepare: (socket: Socket) => void = () => undefined,
  ) {
    this.guardedJoin = guardedJoin(logger);
  }

  connect(socket: Socket, io: Server): void {
    const sessionID = (socket.request as { sessionID?: string }).sessionID;
    if (sessionID) joinModuleRoom(socket, this.rooms.session(sessionID));
    this.prepare(socket);
    socket.join = this.guardedJoin;
    if (this.dev) {
      this.logger.log(`socket ${socket.id} connected (${socket.conn.transport.name})`);
      // Nest's handleDisconnect gets no reason: the socket's own event has it.
      socket.once('disconnect', (reason) => this.logger.log(`socket ${socket.id} disconnected (${reason})`));
    }
    for (const handler of this.handlers()) this.run(handler, socket, io);
  }

  /** Listeners the handler attaches (now or later) are guarded too: see `runInHandlerScope`. */
  private run(handler: ConnectHandler, socket: Socket, io: Server): void {
    const fail = (error: unknown) =>
      this.logger.error(`OnConnect handler ${handler.source} failed for socket ${socket.id}: ${(error as Error)?.message ?? error}`);
    try {
      const result = runInHandlerScope({ source: handler.source, logger: this.logger }, () => handler.run(socket, io));
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}

/** Joins one of the module's own rooms, past the guard handlers see. */
export const joinModuleRoom = (socket: Socket, room: string): void => void Socket.prototype.join.call(socket, room);

/**
 * Whatever a handler passes to `socket.join`, neither the module's own rooms nor another socket's own room (what
 * is sent to one socket, its recovered packets included, travels through it) are joined from it.
 */
function guardedJoin(logger: Logger): Socket['join'] {
  return function join(this: Socket, rooms: string | string[]) {
    const requested = Array.isArray(rooms) ? rooms : [rooms];
    const forbidden = (room: unknown) => isReservedRoom(room) || (room !== this.id && this.nsp.sockets.has(room as string));
    const allowed = requested.filter((room) => !forbidden(room));
    if (allowed.length < requested.length) logger.warn(`socket ${this.id}: refused to join a reserved room or another socket's room`);
    return Socket.prototype.join.call(this, allowed);
  };
}
