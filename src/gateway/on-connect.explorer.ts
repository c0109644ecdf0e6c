import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { ON_CONNECT_METADATA, PAYLOAD_SOCKET_OPTIONS } from '../constants.js';
import { MethodDiscovery } from '../discovery/method-discovery.js';
import type { ResolvedOptions } from '../options.js';

export interface ConnectHandler {
  source: string;
  run: (socket: Socket, io: Server) => unknown;
}

/** Collects `@OnConnect()` methods of every provider and gateway, then the `onConnect` option's functions. */
@Injectable()
export class OnConnectExplorer implements OnModuleInit {
  handlers: ConnectHandler[] = [];

  constructor(
    private readonly discovery: MethodDiscovery,
    @Inject(PAYLOAD_SOCKET_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  onModuleInit(): void {
    const decorated = this.discovery.find<true>(ON_CONNECT_METADATA).map(({ instance, methodName, source }) => ({
      source,
      run: (socket: Socket, io: Server) => (instance as Record<string, (...args: unknown[]) => unknown>)[methodName](socket, io),
    }));
    const given = (this.options.onConnect ?? []).map((fn, index) => ({
      source: `onConnect[${index}]${fn.name ? ` (${fn.name})` : ''}`,
      run: fn,
    }));
    this.handlers = [...decorated, ...given];
  }
}
