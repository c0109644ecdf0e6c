import { Global, Logger, Module, type DynamicModule, type MiddlewareConsumer, type ModuleMetadata, type NestModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Payload } from 'payload';
import { PAYLOAD_INSTANCE, PAYLOAD_SOCKET_OPTIONS, SESSION_MIDDLEWARE } from '../constants.js';
import { MethodDiscovery } from '../discovery/method-discovery.js';
import { RealtimeService } from '../emitting/realtime.service.js';
import { OnConnectExplorer } from '../gateway/on-connect.explorer.js';
import { configureGateway, gatewayFor } from '../gateway/payload-socket.gateway.js';
import { HttpBridge } from '../http/http-bridge.js';
import { RequestContextMiddleware } from '../http/request-context.middleware.js';
import { resolveOptions, type PayloadSocketOptions, type ResolvedOptions } from '../options.js';
import { SocketAccessExplorer } from '../rules/socket-access.explorer.js';
import { createSessionRuntime, type SessionRuntime } from '../session/session-middleware.js';
import { PayloadLifecycle } from './payload-lifecycle.js';
import { bootPayload } from './boot-payload.js';
import { ScaleOut } from '../scale/scale-out.js';

export interface PayloadSocketAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: unknown[];
  useFactory: (...args: never[]) => PayloadSocketOptions | Promise<PayloadSocketOptions>;
}

/** Realtime Payload for Nest: boots Payload, serves its API, and turns its operations into Socket.IO events. */
@Global()
@Module({})
export class PayloadSocketModule implements NestModule {
  static forRoot(options: PayloadSocketOptions): DynamicModule {
    return this.build({ provide: PAYLOAD_SOCKET_OPTIONS, useValue: resolveOptions(options) }, []);
  }

  static forRootAsync({ imports = [], inject = [], useFactory }: PayloadSocketAsyncOptions): DynamicModule {
    return this.build(
      {
        provide: PAYLOAD_SOCKET_OPTIONS,
        inject: inject as never[],
        useFactory: async (...args: never[]) => resolveOptions(await useFactory(...args)),
      },
      imports,
    );
  }

  private static build(optionsProvider: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    const gateway = gatewayFor();
    const providers: Provider[] = [
      optionsProvider,
      {
        provide: PAYLOAD_INSTANCE,
        inject: [PAYLOAD_SOCKET_OPTIONS],
        useFactory: (options: ResolvedOptions) => {
          configureGateway(gateway, options);
          return bootPayload(options.config, options.payloadKey!, options.enabled);
        },
      },
      {
        provide: SESSION_MIDDLEWARE,
        inject: [PAYLOAD_SOCKET_OPTIONS, PAYLOAD_INSTANCE],
        useFactory: (options: ResolvedOptions, payload: Payload): Promise<SessionRuntime> =>
          createSessionRuntime(options, payload, new Logger('PayloadSocket')),
      },
      { provide: ScaleOut, inject: [PAYLOAD_SOCKET_OPTIONS], useFactory: (options: ResolvedOptions) => ScaleOut.create(options) },
      MethodDiscovery,
      HttpBridge,
      PayloadLifecycle,
      SocketAccessExplorer,
      OnConnectExplorer,
      RealtimeService,
      gateway,
    ];
    return {
      module: PayloadSocketModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers,
      exports: [PAYLOAD_SOCKET_OPTIONS, PAYLOAD_INSTANCE, SESSION_MIDDLEWARE, RealtimeService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('{*path}');
  }
}
