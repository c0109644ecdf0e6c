import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { OnConnect, PayloadSocketModule } from '../../src/index.js';
import type { TestApp } from '../support/app.js';
import { connectSocket, HttpClient, type RecordingSocket } from '../support/clients.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { gatewayConfig, SessionCounterController, sessionIdOf, sessionRoomOf, socketsIn, startGatewayApp } from './support.js';

/** A user's own gateway on the default namespace: the module's server, the module's rooms. */
@WebSocketGateway()
class UserGateway {
  @WebSocketServer() server!: Server;

  @OnConnect()
  tag(socket: Socket): void {
    socket.data.taggedByUserGateway = true; // gateways are providers: their @OnConnect methods run too
  }

  @SubscribeMessage('rooms?')
  rooms(@ConnectedSocket() client: Socket) {
    return { rooms: [...client.rooms], tagged: client.data.taggedByUserGateway === true };
  }

  @SubscribeMessage('sum')
  sum(@MessageBody() body: { a: number; b: number }) {
    return body.a + body.b;
  }

  @SubscribeMessage('tell-room')
  tellRoom(@MessageBody() body: { room: string; text: string }) {
    this.server.to(body.room).emit('told', body.text);
    return 'sent';
  }
}

/** A gateway in another namespace: same Engine.IO server, so the same session on its handshake. */
@WebSocketGateway({ namespace: '/chat' })
class ChatGateway {
  @SubscribeMessage('whoami')
  whoami(@ConnectedSocket() client: Socket) {
    return (client.request as unknown as { sessionID?: string }).sessionID ?? null;
  }
}

describe('a user\'s own @WebSocketGateway next to the module', () => {
  let db: TestDatabase;
  let t: TestApp;
  let gateway: UserGateway;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startGatewayApp({
      imports: [PayloadSocketModule.forRoot({ config: gatewayConfig(db.url, 'user-gateway-secret') })],
      controllers: [SessionCounterController],
      providers: [UserGateway, ChatGateway],
    });
    gateway = t.app.get(UserGateway);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await db?.drop();
  });

  it('shares the one Socket.IO server, and its handlers see the session room the module joined', async () => {
    expect(gateway.server).toBe(t.realtime.namespace!.server);
    const http = new HttpClient(t.url);
    await http.get('/test-session/counter');
    const room = sessionRoomOf(t.realtime, http.cookies.get('connect.sid')!);
    const tab = await connectSocket(t.url, { cookie: http.cookieHeader });
    const otherTab = await connectSocket(t.url, { cookie: http.cookieHeader, transports: ['polling'] });
    const stranger = await connectSocket(t.url);
    sockets.push(tab, otherTab, stranger);

    expect(await tab.emitWithAck('rooms?')).toEqual({ rooms: [tab.socket.id, room], tagged: true });
    expect(await tab.emitWithAck('sum', { a: 2, b: 3 })).toBe(5);

    // The user's gateway can address the module's session room: both tabs hear it, the stranger does not.
    expect(await stranger.emitWithAck('tell-room', { room, text: 'to that session' })).toBe('sent');
    await t.settle([tab, otherTab, stranger]);
    expect(tab.named('told')).toEqual(['to that session']);
    expect(otherTab.named('told')).toEqual(['to that session']);
    expect(stranger.named('told')).toEqual([]);
    expect(socketsIn(t.realtime, room).sort()).toEqual([tab.socket.id, otherTab.socket.id].sort());
  });

  it('a gateway in another namespace sees the same session on its sockets', async () => {
    const http = new HttpClient(t.url);
    await http.get('/test-session/counter');
    const chat = await connectSocket(t.url, { cookie: http.cookieHeader, namespace: '/chat' });
    sockets.push(chat);
    expect(await chat.emitWithAck('whoami')).toBe(sessionIdOf(http.cookies.get('connect.sid')!));
    // The module's rooms are in its own namespace only.
    expect(socketsIn(t.realtime, sessionRoomOf(t.realtime, http.cookies.get('connect.sid')!))).toEqual([]);
  });
});
