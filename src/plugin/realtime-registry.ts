import type { Payload, PayloadRequest } from 'payload';

/** One operation as the afterOperation hook reports it. */
export interface OperationEvent {
  slug: string;
  operation: string;
  args: Record<string, unknown>;
  req: PayloadRequest;
  result: unknown;
}

/** Whatever turns operations into emits for one Payload instance (the Nest module, or a publisher). */
export interface OperationSink {
  hasRules(slug: string, operation: string): boolean;
  handle(event: OperationEvent): void;
  /** A committed write changed (or deleted) a user of an auth collection: its sockets must follow before the next emit. */
  userChanged?(collection: string, id: string | number): void;
}

/**
 * The plugin's hooks are config-time functions; the sink exists only once the instance is running. This links
 * the two through the instance the hook sees as `req.payload`.
 */
const sinks = new WeakMap<Payload, OperationSink>();

export const registerSink = (payload: Payload, sink: OperationSink): void => void sinks.set(payload, sink);
export const unregisterSink = (payload: Payload): void => void sinks.delete(payload);
export const sinkFor = (payload: Payload | undefined): OperationSink | undefined => (payload ? sinks.get(payload) : undefined);
