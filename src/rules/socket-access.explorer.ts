import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Payload } from 'payload';
import { PAYLOAD_INSTANCE, SOCKET_ACCESS_METADATA } from '../constants.js';
import { MethodDiscovery } from '../discovery/method-discovery.js';
import type { RuleFunction } from './rule.js';
import { RuleTable } from './rule-table.js';
import type { SocketAccessMetadata } from './socket-access.decorator.js';

/**
 * Compiles both rule sources into one table at boot: the collections' `custom.socketAccess` and every
 * `@SocketAccess` method (called with the provider as `this`). A rule naming an unknown collection or
 * operation fails the boot with a message that says where it is.
 */
@Injectable()
export class SocketAccessExplorer implements OnModuleInit {
  table!: RuleTable;

  constructor(
    private readonly discovery: MethodDiscovery,
    @Inject(PAYLOAD_INSTANCE) private readonly payload: Payload,
  ) {}

  onModuleInit(): void {
    const collections = this.payload.config.collections;
    this.table = new RuleTable(new Set(collections.map((collection) => collection.slug)));
    this.table.addFromCollections(collections);
    for (const { instance, methodName, source, metadata } of this.discovery.find<SocketAccessMetadata[]>(SOCKET_ACCESS_METADATA)) {
      const method = (instance as Record<string, RuleFunction>)[methodName];
      for (const { slug, operation } of metadata) {
        this.table.add(slug, operation, (...args) => method.apply(instance, args), `@SocketAccess ${source}`);
      }
    }
  }
}
