import type { Namespace, Socket } from 'socket.io';
import { socketUserOf } from '../auth/socket-user.js';
import type { SocketLimits } from '../options.js';
import type { RoomNames } from '../session/rooms.js';

/**
 * Per-socket token bucket on inbound events: a flooding client has its excess dropped (and is told, at most once
 * a second, by an `error` event) while everybody else is served as usual.
 */
export function limitInboundRate(socket: Socket, limits: SocketLimits): void {
  const rate = limits.eventsPerSecond ?? 20;
  const burst = limits.burst ?? 40;
  if (rate <= 0) return;
  let tokens = burst;
  let last = Date.now();
  let lastWarning = 0;
  socket.use((_packet, next) => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return next();
    }
    if (now - lastWarning >= 1000) {
      lastWarning = now;
      socket.emit('error', { message: `Rate limit exceeded: at most ${rate} events per second (burst ${burst}).` });
    }
  });
}

/** Socket.IO middleware enforcing the optional caps on sockets per session and per user, on this instance. */
export function connectionCaps(nsp: Namespace, rooms: RoomNames, limits: SocketLimits) {
  return (socket: Socket, next: (error?: Error) => void): void => {
    const sessionID = (socket.request as { sessionID?: string }).sessionID;
    const user = socketUserOf(socket);
    const count = (room: string) => nsp.adapter.rooms.get(room)?.size ?? 0;
    if (limits.connectionsPerSession && sessionID && count(rooms.session(sessionID)) >= limits.connectionsPerSession) {
      return next(new Error(`Too many connections for this session (at most ${limits.connectionsPerSession}).`));
    }
    if (limits.connectionsPerUser && user && count(rooms.user(user.collection, user.id)) >= limits.connectionsPerUser) {
      return next(new Error(`Too many connections for this user (at most ${limits.connectionsPerUser}).`));
    }
    next();
  };
}
