import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

export interface DecoratedMethod<T> {
  instance: object;
  methodName: string;
  /** `Class.method`, for logs. */
  source: string;
  metadata: T;
}

/**
 * Finds methods carrying a metadata key on every provider and controller (gateways are providers),
 * the way @nestjs/event-emitter finds `@OnEvent` listeners. A request-scoped provider carrying one fails the
 * boot: there is no request when a rule or connect handler runs.
 */
@Injectable()
export class MethodDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  find<T>(metadataKey: string): DecoratedMethod<T>[] {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const found: DecoratedMethod<T>[] = [];
    const seen = new Set<object>();
    for (const wrapper of wrappers) {
      const { instance, metatype } = wrapper;
      if (!wrapper.isDependencyTreeStatic()) {
        const prototype = (metatype as { prototype?: object } | undefined)?.prototype;
        const decorated = prototype && this.scanner.getAllMethodNames(prototype).find((name) => Reflect.getMetadata(metadataKey, (prototype as never)[name]) !== undefined);
        if (decorated) throw new Error(`${wrapper.name}.${decorated}: a request-scoped provider cannot hold emit rules or connect handlers (no request exists when they run); make it a singleton.`);
        continue;
      }
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance);
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const metadata = Reflect.getMetadata(metadataKey, prototype[methodName]) as T | undefined;
        if (metadata === undefined) continue;
        found.push({ instance, methodName, source: `${instance.constructor.name}.${methodName}`, metadata });
      }
    }
    return found;
  }
}
