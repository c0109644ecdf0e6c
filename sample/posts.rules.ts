import { Injectable } from '@nestjs/common';
import { SocketAccess, type Targets } from '../src/index.js';

/** The seed README's create example, as a decorated provider method. */
@Injectable()
export class PostsRules {
  @SocketAccess('posts', 'create')
  announce(_args: unknown, _req: unknown, result: Record<string, unknown>): Targets {
    return { public: { ...result, hello: 'world' }, self: true, lorem: 'ipsum' };
  }
}
