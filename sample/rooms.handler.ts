import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { OnConnect, visibleRooms } from '../src/index.js';

export const JOINABLE_ROOMS: ReadonlySet<string> = new Set(['lorem', 'mario', 'luigi']);

/**
 * The seed's custom socket logic, with an allow-list: clients choose among public rooms only. Whatever a client
 * sends is checked for its type before it is used: never converted (`String(value)` runs a client-chosen
 * `toString`, or recurses through nested arrays) and never echoed back at any length.
 */
@Injectable()
export class RoomsHandler {
  @OnConnect()
  listen(socket: Socket): void {
    socket.on('mario-luigi', (name: unknown) => {
      const room = typeof name === 'string' ? name.toLowerCase() : '';
      if (room === 'mario' || room === 'luigi') void socket.join(room);
    });
    socket.on('join', async (room: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: unknown) => void) : () => undefined;
      if (typeof room !== 'string' || !JOINABLE_ROOMS.has(room)) {
        return reply({ error: `${describe(room)} cannot be joined; choose one of: ${[...JOINABLE_ROOMS].join(', ')}.` });
      }
      await socket.join(room);
      reply(visibleRooms(socket));
    });
  }
}

function describe(room: unknown): string {
  if (typeof room !== 'string') return `A room name must be a string, not ${room === null ? 'null' : Array.isArray(room) ? 'an array' : typeof room}: it`;
  return `Room ${JSON.stringify(room.length > 40 ? `${room.slice(0, 40)}…` : room)}`;
}
