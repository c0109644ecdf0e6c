import type { Namespace, Socket } from 'socket.io';
import { socketUserOf } from '../auth/socket-user.js';
import type { SocketLimits } from '../options.js';
import type { RoomNames } from '../session/rooms.js';
import { DEFAULT_MAX_DEPTH, deeperThan, setMaxDepth } from './payload-depth.js';

/**
 * Per-socket inbound limits, in one Socket.IO middleware (ahead of every listener a handler attaches):
 * - a token bucket: a flooding client has its excess dropped (and is told, at most once a second, by an `error`
 *   event) while everybody else is served as usual;
 * - `limits.maxDepth`: a payload nested deeper is refused before any listener sees it (its ack is answered
 *   `{ error }`, or an `error` event is sent), so recursive code in listeners cannot overflow the stack on it.
 */
export function limitInboundRate(socket: Socket, limits: SocketLimits): void {
  const rate = limits.eventsPerSecond ?? 20;
  const burst = limits.burst ?? 40;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  setMaxDepth(socket.nsp, maxDepth);
  if (rate <= 0 && maxDepth <= 0) return;
  let tokens = burst;
  let last = Date.now();
  let lastWarning = 0;
  socket.use((packet, next) => {
    if (rate > 0) {
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
      last = now;
      if (tokens < 1) {
        if (now - lastWarning >= 1000) {
          lastWarning = now;
          socket.emit('error', { message: `Rate limit exceeded: at most ${rate} events per second (burst ${burst}).` });
        }
        return;
      }
      tokens -= 1;
    }
    if (deeperThan(packet, maxDepth)) return refuse(socket, packet, `Payload nested too deeply: at most ${maxDepth} levels.`);
    next();
  });
}

/** Answers a refused packet: to its ack when it has one, else with an `error` event. */
function refuse(socket: Socket, packet: unknown[], message: string): void {
  const ack = packet[packet.length - 1];
  if (typeof ack === 'function') ack({ error: message });
  else socket.emit('error', { message });
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
