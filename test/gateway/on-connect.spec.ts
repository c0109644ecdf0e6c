import { Injectable } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { OnConnect, PayloadSocketModule, visibleRooms } from '../../src/index.js';
import { isReservedRoom } from '../../src/session/rooms.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { type CapturedLogger, gatewayConfig, SessionCounterController, sessionRoomOf, socketsIn, startGatewayApp } from './support.js';

/** Every handler call, in order: which handler, for which socket, with which server, seeing which rooms. */
const calls: { handler: string; socket: string; server: Server; inSessionRoom: boolean }[] = [];
const record = (handler: string, socket: Socket, server: Server) =>
  calls.push({ handler, socket: socket.id, server, inSessionRoom: [...socket.rooms].some(isReservedRoom) });

@Injectable()
class FirstHandler {
  readonly greeting = 'hello from a provider';

  @OnConnect()
  greet(socket: Socket, server: Server): void {
    record('FirstHandler.greet', socket, server);
    socket.on('greeting?', (ack: (answer: string) => void) => ack(this.greeting)); // `this` is the provider
  }
}

@Injectable()
class FailingHandlers {
  @OnConnect()
  throws(socket: Socket, server: Server): void {
    record('FailingHandlers.throws', socket, server);
    throw new Error('thrown on purpose');
  }

  @OnConnect()
  async rejects(socket: Socket, server: Server): Promise<void> {
    record('FailingHandlers.rejects', socket, server);
    await Promise.resolve();
    throw new Error('rejected on purpose');
  }
}

@Injectable()
class SecondHandler {
  @OnConnect()
  echo(socket: Socket, server: Server): void {
    record('SecondHandler.echo', socket, server);
    socket.on('echo', (value: unknown, ack: (answer: unknown) => void) => ack(value));
    // A handler that tries to put the socket into one of the module's rooms (its own or another session's).
    socket.on('force-join', async (rooms: string | string[], ack: (answer: unknown) => void) => {
      await socket.join(rooms);
      ack(visibleRooms(socket));
    });
  }
}

async function optionHandler(socket: Socket, server: Server): Promise<void> {
  record('onConnect[0]', socket, server);
  socket.on('option?', (ack: (answer: string) => void) => ack('from the onConnect option'));
}

describe('@OnConnect handlers and the onConnect option', () => {
  let db: TestDatabase;
  let t: TestApp & { logger: CapturedLogger };
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'on-connect-secret'), onConnect: [optionHandler] })],
      controllers: [SessionCounterController],
      providers: [FirstHandler, FailingHandlers, SecondHandler],
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('runs every handler once per socket, in one stable order, after the socket joined its session room', async () => {
    for (let i = 0; i < 3; i++) sockets.push(await connectSocket(t.url, { transports: i === 1 ? ['polling'] : ['websocket'] }));
    const expectedOrder = ['FirstHandler.greet', 'FailingHandlers.throws', 'FailingHandlers.rejects', 'SecondHandler.echo', 'onConnect[0]'];
    for (const socket of sockets) {
      const mine = calls.filter((call) => call.socket === socket.socket.id);
      expect(mine.map((call) => call.handler)).toEqual(expectedOrder);
      expect(mine.every((call) => call.server === t.realtime.namespace!.server && call.inSessionRoom)).toBe(true);
    }
    expect(calls).toHaveLength(3 * expectedOrder.length);
  });

  it('logs a throwing and a rejecting handler with class and method, and the socket keeps working', async () => {
    const [socket] = sockets;
    expect(await socket.emitWithAck('greeting?')).toBe('hello from a provider');
    expect(await socket.emitWithAck('echo', { x: 1 })).toEqual({ x: 1 });
    expect(await socket.emitWithAck('option?')).toBe('from the onConnect option');
    expect(socket.socket.connected).toBe(true);

    const errors = t.logger.messages('error').filter((line) => line.includes(socket.socket.id!));
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/FailingHandlers\.throws.*thrown on purpose/),
        expect.stringMatching(/FailingHandlers\.rejects.*rejected on purpose/),
      ]),
    );
  });

  it('never lets a handler join a reserved room, its own or another session\'s', async () => {
    const victim = new HttpClient(t.url);
    await victim.get('/test-session/counter');
    const victimRoom = sessionRoomOf(t.realtime, victim.cookies.get('connect.sid')!);
    const victimSocket = await connectSocket(t.url, { cookie: victim.cookieHeader });
    sockets.push(victimSocket);

    const attacker = sockets[0];
    expect(await attacker.emitWithAck('force-join', victimRoom)).toEqual([]);
    expect(await attacker.emitWithAck('force-join', [victimRoom, 'nps:u:anything', 'lobby'])).toEqual(['lobby']);
    expect(socketsIn(t.realtime, victimRoom)).toEqual([victimSocket.socket.id]);
    expect(t.realtime.namespace!.adapter.rooms.has('nps:u:anything')).toBe(false);
    expect(socketsIn(t.realtime, 'lobby')).toEqual([attacker.socket.id]);
    expect(t.logger.messages('warn')).toContain(`socket ${attacker.socket.id}: refused to join a reserved room or another socket's room`);
  });
});
