import { Injectable } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { OnConnect, PayloadSocketModule } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, waitUntil, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { type CapturedLogger, gatewayConfig, startGatewayApp } from './support.js';

const reached: string[] = [];

/** Listeners that fail in every way a listener can, attached the ways a handler can attach them. */
@Injectable()
class FragileHandlers {
  @OnConnect()
  attach(socket: Socket): void {
    socket.on('throws', () => {
      throw new Error('thrown by a listener');
    });
    socket.on('rejects', async (_value: unknown, ack?: (answer: unknown) => void) => {
      await Promise.resolve();
      if (ack) throw new Error('rejected by a listener');
    });
    socket.once('once-throws', () => {
      reached.push('once-throws');
      throw new Error('thrown by a once listener');
    });
    socket.prependListener('prepended-throws', () => {
      throw new Error('thrown by a prepended listener');
    });
    socket.onAny((event: string) => {
      if (event === 'any-throws') throw new Error('thrown by an onAny listener');
    });
    socket.use(([event], next) => {
      if (event === 'use-throws') throw new Error('thrown by a middleware');
      next();
    });
    // A listener attaching another one: the inner one is guarded too, and still named after this handler.
    socket.on('arm', (ack: (answer: unknown) => void) => {
      socket.on('armed', () => {
        throw new Error('thrown by a nested listener');
      });
      ack('armed');
    });
    // A listener removed again still goes, as Node's EventEmitter promises.
    const temporary = (ack: (answer: unknown) => void) => ack('still there');
    socket.on('temporary', temporary);
    socket.on('remove-temporary', (ack: (answer: unknown) => void) => {
      socket.off('temporary', temporary);
      ack(socket.listeners('temporary').length);
    });
    socket.on('echo', (value: unknown, ack: (answer: unknown) => void) => {
      reached.push('echo');
      ack(value);
    });
    socket.onAny((event: string) => {
      if (event === 'echo') reached.push('onAny echo');
    });
  }

  /** Listeners attached after an await: the handler's scope carries over. */
  @OnConnect()
  async later(socket: Socket): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    socket.on('later-throws', () => {
      throw new Error('thrown by a listener attached after an await');
    });
  }
}

function fromOption(socket: Socket, _io: Server): void {
  socket.on('option-rejects', async (ack: (answer: unknown) => void) => {
    await Promise.resolve();
    throw Object.assign(new Error('refused on purpose'), { status: 403 }); // a client-facing (4xx) error
    ack('unreachable');
  });
}

const nested = (levels: number): unknown => {
  let value: unknown = 'core';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

describe('listeners attached by @OnConnect handlers and the onConnect option', () => {
  let db: TestDatabase;
  let t: TestApp & { logger: CapturedLogger };
  const sockets: RecordingSocket[] = [];
  const faults: string[] = [];
  const onRejection = (reason: unknown) => faults.push(`unhandledRejection: ${(reason as Error)?.message}`);
  const onException = (error: Error) => faults.push(`uncaughtException: ${error.message}`);
  const open = async () => {
    const socket = await connectSocket(t.url);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'listener-faults-secret'), onConnect: [fromOption] })],
      providers: [FragileHandlers],
    });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  const errorsFor = (socket: RecordingSocket) => t.logger.messages('error').filter((line) => line.includes(socket.socket.id!));

  it('catches throws and rejections, answers acks with { error }, logs event and handler, and the socket lives on', async () => {
    const socket = await open();
    expect(await socket.emitWithAck('throws')).toEqual({ error: 'Internal server error' });
    expect(await socket.emitWithAck('rejects', 1)).toEqual({ error: 'Internal server error' });
    socket.socket.emit('rejects', 1); // no ack: nothing to answer, nothing unhandled
    expect(await socket.emitWithAck('once-throws')).toEqual({ error: 'Internal server error' });
    expect(await socket.emitWithAck('prepended-throws')).toEqual({ error: 'Internal server error' });
    socket.socket.emit('any-throws');
    expect(await socket.emitWithAck('use-throws')).toEqual({ error: 'Internal server error' });
    expect(await socket.emitWithAck('arm')).toBe('armed');
    expect(await socket.emitWithAck('armed')).toEqual({ error: 'Internal server error' });
    expect(await socket.emitWithAck('later-throws')).toEqual({ error: 'Internal server error' });
    expect(await socket.emitWithAck('option-rejects')).toEqual({ error: 'refused on purpose' });
    expect(await socket.emitWithAck('echo', 'still served')).toBe('still served');
    expect(socket.socket.connected).toBe(true);

    await waitUntil(() => errorsFor(socket).length >= 9, 5000, 'the failures to be logged');
    const logged = errorsFor(socket);
    for (const [event, handler, message] of [
      ['throws', 'FragileHandlers.attach', 'thrown by a listener'],
      ['rejects', 'FragileHandlers.attach', 'rejected by a listener'],
      ['once-throws', 'FragileHandlers.attach', 'thrown by a once listener'],
      ['prepended-throws', 'FragileHandlers.attach', 'thrown by a prepended listener'],
      ['any-throws', 'FragileHandlers.attach', 'thrown by an onAny listener'],
      ['use-throws', 'FragileHandlers.attach', 'thrown by a middleware'],
      ['armed', 'FragileHandlers.attach', 'thrown by a nested listener'],
      ['later-throws', 'FragileHandlers.later', 'thrown by a listener attached after an await'],
      ['option-rejects', 'onConnect[0] (fromOption)', 'refused on purpose'],
    ]) {
      expect(logged).toContainEqual(expect.stringContaining(`"${event}" (${handler}) failed for socket ${socket.socket.id}: ${message}`));
    }
    expect(faults).toEqual([]);
  });

  it('keeps EventEmitter semantics: once runs once, off removes a listener', async () => {
    const socket = await open();
    reached.length = 0;
    await socket.emitWithAck('once-throws');
    socket.socket.emit('once-throws');
    expect(await socket.emitWithAck('echo', 'after')).toBe('after'); // handled in order: the second once came before
    expect(reached.filter((name) => name === 'once-throws')).toHaveLength(1);
    expect(await socket.emitWithAck('temporary')).toBe('still there');
    expect(await socket.emitWithAck('remove-temporary')).toBe(0);
    let answered = false;
    socket.socket.emit('temporary', () => (answered = true));
    expect(await socket.emitWithAck('echo', 'after removal')).toBe('after removal'); // in order: 'temporary' came first
    expect(answered).toBe(false);
  });

  it('refuses payloads nested deeper than limits.maxDepth (32) before any listener, onAny included', async () => {
    const socket = await open();
    reached.length = 0;
    expect(await socket.emitWithAck('echo', nested(32))).toEqual(nested(32));
    expect(reached).toEqual(['onAny echo', 'echo']);
    reached.length = 0;
    expect(await socket.emitWithAck('echo', nested(33))).toEqual({ error: expect.stringMatching(/nested too deeply: at most 32 levels/) });
    expect(await socket.emitWithAck('echo', 'x', { a: { b: nested(31) } })).toEqual({ error: expect.stringMatching(/nested too deeply/) });
    socket.socket.emit('echo', nested(1000));
    const [error] = (await socket.waitFor('error')) as { message: string }[];
    expect(error.message).toMatch(/nested too deeply/);
    expect(reached).toEqual([]);
    expect(await socket.emitWithAck('echo', { fine: [1, [2, [3]]] })).toEqual({ fine: [1, [2, [3]]] });
    expect(faults).toEqual([]);
  });
});
