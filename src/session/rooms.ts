import { createHmac } from 'node:crypto';

/**
 * The module's own rooms. Names are HMACs of the secret, so they reveal no session id and cannot be guessed;
 * the common prefix lets the join guard refuse them whatever a handler passes to `socket.join`.
 */
export const RESERVED_ROOM_PREFIX = 'nps:';

export class RoomNames {
  constructor(private readonly secret: string) {}

  session(sessionID: string): string {
    return `${RESERVED_ROOM_PREFIX}s:${this.digest(`session:${sessionID}`)}`;
  }

  user(collection: string, id: string | number): string {
    return `${RESERVED_ROOM_PREFIX}u:${this.digest(`user:${collection}:${id}`)}`;
  }

  private digest(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url').slice(0, 22);
  }
}

const USER_ROOM_PREFIX = `${RESERVED_ROOM_PREFIX}u:`;

/** A room of one Payload user (see `RoomNames.user`). */
export const isUserRoom = (room: unknown): boolean => typeof room === 'string' && room.startsWith(USER_ROOM_PREFIX);

export const isReservedRoom = (room: unknown): boolean =>
  typeof room === 'string' && room.startsWith(RESERVED_ROOM_PREFIX);

/** The rooms a client may be told about: its own id and the module's rooms left out. */
export function visibleRooms(socket: { id: string; rooms: Set<string> }): string[] {
  return [...socket.rooms].filter((room) => room !== socket.id && !isReservedRoom(room));
}
