import { SetMetadata } from '@nestjs/common';
import { SOCKET_ACCESS_METADATA } from '../constants.js';
import type { SocketOperation } from './operations.js';

export interface SocketAccessMetadata {
  slug: string;
  operation: SocketOperation;
}

/**
 * Marks a provider method as an emit rule for one collection operation:
 * `@SocketAccess('posts', 'create') rule(args, req, result) { return { public: true } }`.
 * A method may carry several; several methods may serve one operation (all apply).
 */
export function SocketAccess(slug: string, operation: SocketOperation): MethodDecorator {
  return (target, key, descriptor) => {
    const previous: SocketAccessMetadata[] = Reflect.getMetadata(SOCKET_ACCESS_METADATA, descriptor.value as object) ?? [];
    SetMetadata(SOCKET_ACCESS_METADATA, [...previous, { slug, operation }])(target, key, descriptor);
  };
}
