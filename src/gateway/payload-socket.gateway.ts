import { Injectable } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Server, Socket } from 'socket.io';
import { RealtimeService } from '../emitting/realtime.service.js';
import type { ResolvedOptions } from '../options.js';

/**
 * The module's gateway: it makes Nest create the Socket.IO server on the app's HTTP server (shared with the
 * user's own gateways on the same port) and hands connections to the realtime service.
 */
@Injectable()
export class PayloadSocketGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(private readonly realtime: RealtimeService) {}

  afterInit(server: Server | Namespace): void {
    this.realtime.attach(server);
  }

  handleConnection(socket: Socket): void {
    this.realtime.connect(socket);
  }
}

/**
 * Gateway options depend on the module's options, which `forRootAsync` knows only at run time, so
 * `@WebSocketGateway` is applied here, to a class made for one module instance, before Nest looks for
 * gateways. Disabled → not a gateway → no Socket.IO server.
 */
export function gatewayFor(): typeof PayloadSocketGateway {
  return class PayloadSocketGateway_ extends PayloadSocketGateway {};
}

export function configureGateway(gateway: typeof PayloadSocketGateway, options: ResolvedOptions): void {
  if (!options.enabled) return;
  WebSocketGateway(options.namespace === '/' ? {} : { namespace: options.namespace })(gateway);
}
