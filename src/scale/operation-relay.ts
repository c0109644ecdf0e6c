import { createLocalReq, type Payload, type PayloadRequest } from 'payload';
import { SOCKET_CONTEXT_KEY } from '../constants.js';
import { stripSecrets } from '../emitting/strip-secrets.js';
import { documentsIn } from '../emitting/result-documents.js';
import { runAfterCommit } from '../plugin/commit-queue.js';
import { registerSink, unregisterSink, type OperationEvent, type OperationSink } from '../plugin/realtime-registry.js';
import { rememberStoredDocument, storedDocument } from '../plugin/stored-documents.js';
import { ClusterBus, type ClusterMessage } from './cluster-bus.js';
import { normalizeRedisOptions, openRedis } from './redis-clients.js';
import { RelayOutbox } from './relay-outbox.js';
import type { RedisScaleOptions } from '../options.js';

type OperationMessage = Extract<ClusterMessage, { type: 'operation' }>;

const WRITES = new Set(['create', 'update', 'updateByID', 'delete', 'deleteByID']);

/**
 * The sink of a process that runs no Socket.IO server (a worker, a script, Payload's admin in Next.js): after
 * commit it sends each write (and each operation with a `custom.socketAccess` rule) to the socket servers,
 * where one of them runs the rules and access checks as for its own writes. Rules written as Nest providers
 * live in the servers, so every write is sent, not only those with a config rule.
 */
export class OperationRelay implements OperationSink {
  constructor(
    private readonly payload: Payload,
    private readonly outbox: RelayOutbox,
  ) {}

  hasRules(slug: string, operation: string): boolean {
    const collection = this.payload.collections[slug as never];
    return WRITES.has(operation) || Boolean((collection?.config.custom?.socketAccess as Record<string, unknown> | undefined)?.[operation]);
  }

  handle({ slug, operation, args, req, result }: OperationEvent): void {
    const docs = (documentsIn(operation, result)?.docs ?? []).map((doc) => stripSecrets(storedDocument(req, slug, doc.id) ?? doc));
    const message: OperationMessage = {
      type: 'operation',
      slug,
      operation,
      // The operation's own arguments minus the live objects (req, collection config) and secrets.
      args: stripSecrets({ id: args.id, data: args.data, where: args.where, depth: args.depth, locale: args.locale }),
      result: operation === 'forgotPassword' ? null : stripSecrets(result),
      docs,
      context: { [SOCKET_CONTEXT_KEY]: req.context?.[SOCKET_CONTEXT_KEY] },
    };
    runAfterCommit(req, () => this.outbox.send(message));
  }
}

/** On a socket server: runs an operation relayed from elsewhere through this instance's own pipeline. */
export async function replayOperation(payload: Payload, sink: OperationSink, message: OperationMessage): Promise<void> {
  if (!sink.hasRules(message.slug, message.operation)) return;
  const req: PayloadRequest = await createLocalReq({ context: message.context }, payload);
  for (const doc of message.docs) rememberStoredDocument(req, message.slug, doc);
  sink.handle({ slug: message.slug, operation: message.operation, args: message.args, req, result: message.result });
}

/** How long `payload.destroy()` waits for operations that could not be sent yet (Redis or every server down). */
const FLUSH_WAIT_MS = 10_000;

/** Publishing mode of the plugin: relays this process's operations to the socket servers over Redis. */
export async function startRelay(payload: Payload, redisOptions: string | RedisScaleOptions): Promise<void> {
  const redis = await openRedis(normalizeRedisOptions(redisOptions), payload.logger, { subscribe: false });
  const outbox = new RelayOutbox(new ClusterBus(redis), payload.logger);
  registerSink(payload, new OperationRelay(payload, outbox));
  const destroy = payload.destroy;
  payload.destroy = async () => {
    unregisterSink(payload);
    await outbox.close(FLUSH_WAIT_MS);
    await redis.close();
    await destroy();
  };
}
