import type { Socket } from 'socket.io';

/**
 * A socket's Payload identity, as plain data (it travels with the socket between instances). `sid` is the
 * Payload session the token belongs to; `exp` its expiry (seconds since epoch), when it has one.
 */
export interface SocketUser {
  collection: string;
  id: string | number;
  sid?: string;
  exp?: number;
  /** Set when an API key authenticated the socket: a digest of that key's index (see api-key-index.ts). */
  apiKey?: string;
}

export const userKey = (user: Pick<SocketUser, 'collection' | 'id'>): string => `${user.collection}:${String(user.id)}`;

export const socketUserOf = (socket: Pick<Socket, 'data'>): SocketUser | undefined =>
  (socket.data as { payloadUser?: SocketUser } | undefined)?.payloadUser;

export function setSocketUser(socket: Pick<Socket, 'data'>, user: SocketUser | undefined): void {
  socket.data ??= {};
  if (user) (socket.data as { payloadUser?: SocketUser }).payloadUser = user;
  else delete (socket.data as { payloadUser?: SocketUser }).payloadUser;
}
