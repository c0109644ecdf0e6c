import type { Logger } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { isReservedRoom, type RoomNames } from '../session/rooms.js';
import type { ConnectHandler } from './on-connect.explorer.js';

/**
 * The module's own work on every new socket, then the user's `@OnConnect` handlers. Rooms first, so handlers
 * and rules already see them; handlers are started synchronously one after the other, so listeners they attach
 * exist before the client's first event arrives; each failure stays with its handler.
 */
export class ConnectionHandler {
  constructor(
    private readonly rooms: RoomNames,
    private readonly handlers: () => ConnectHandler[],
    private readonly logger: Logger,
    private readonly dev: boolean,
    /** The module's other per-socket work (user room, inbound limits), with the unguarded join. */
    private readonly prepare: (socket: Socket, join: (room: string) => unknown) => void = () => undefined,
  ) {}

  connect(socket: Socket, io: Server): void {
    const join = socket.join.bind(socket);
    const sessionID = (socket.request as { sessionID?: string }).sessionID;
    if (sessionID) void join(this.rooms.session(sessionID));
    this.prepare(socket, join);
    guardJoin(socket, join, this.logger);
    if (this.dev) {
      this.logger.log(`socket ${socket.id} connected (${socket.conn.transport.name})`);
      // Nest's handleDisconnect gets no reason: the socket's own event has it.
      socket.once('disconnect', (reason) => this.logger.log(`socket ${socket.id} disconnected (${reason})`));
    }
    for (const handler of this.handlers()) this.run(handler, socket, io);
  }

  private run(handler: ConnectHandler, socket: Socket, io: Server): void {
    const fail = (error: unknown) =>
      this.logger.error(`OnConnect handler ${handler.source} failed for socket ${socket.id}: ${(error as Error)?.message ?? error}`);
    try {
      const result = handler.run(socket, io);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}

/**
 * Whatever a handler passes to `socket.join`, neither the module's own rooms nor another socket's own room (what
 * is sent to one socket, its recovered packets included, travels through it) are joined from it.
 */
function guardJoin(socket: Socket, join: Socket['join'], logger: Logger): void {
  const forbidden = (room: unknown) => isReservedRoom(room) || (room !== socket.id && socket.nsp.sockets.has(room as string));
  socket.join = (rooms: string | string[]) => {
    const requested = Array.isArray(rooms) ? rooms : [rooms];
    const allowed = requested.filter((room) => !forbidden(room));
    if (allowed.length < requested.length) logger.warn(`socket ${socket.id}: refused to join a reserved room or another socket's room`);
    return join(allowed);
  };
}
