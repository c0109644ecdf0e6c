import type { Logger } from '@nestjs/common';
import { runAfterCommit } from '../plugin/commit-queue.js';
import type { OperationEvent, OperationSink } from '../plugin/realtime-registry.js';
import type { CompiledRule, Targets } from '../rules/rule.js';
import type { RuleTable } from '../rules/rule-table.js';
import { originOf, type Origin } from './origin.js';
import type { SocketDelivery } from './socket-delivery.js';
import { stripSecrets } from './strip-secrets.js';

const RULE_TIMEOUT_MS = 5_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * operation → rules → targets. Runs after commit, off the write's path, one operation after another so that
 * clients see events in the order the writes committed. A failing or hanging rule is logged and skipped.
 */
export class OperationEmitter implements OperationSink {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly table: RuleTable,
    private readonly delivery: SocketDelivery,
    private readonly logger: Logger,
    private readonly onUserChanged: (collection: string, id: string | number) => Promise<void> = async () => undefined,
  ) {}

  /** Queued like an emit, so every emit after this commit judges the user as it is now. */
  userChanged(collection: string, id: string | number): void {
    this.tail = this.tail
      .then(() => this.onUserChanged(collection, id))
      .catch((error) => this.logger.error(`Re-reading user ${collection}:${String(id)} failed: ${(error as Error)?.message ?? error}`));
  }

  hasRules(slug: string, operation: string): boolean {
    return this.table.get(slug, operation) !== undefined;
  }

  handle(event: OperationEvent): void {
    const rules = this.table.get(event.slug, event.operation);
    if (!rules) return;
    // Snapshot now, without secrets: the caller may mutate the result before the commit lands.
    const result = event.operation === 'forgotPassword' ? null : stripSecrets(event.result);
    const origin = originOf(event.req);
    runAfterCommit(event.req, () => {
      // Next turn of the event loop: the write's response goes out before the emit work starts.
      this.tail = this.tail
        .then(nextTurn)
        .then(() => this.emit(rules, event, result, origin))
        .catch((error) => this.logger.error(error));
    });
  }

  /** Resolves when every queued emit has been handed to Socket.IO (tests and shutdown use it). */
  idle(): Promise<void> {
    return this.tail;
  }

  private async emit(rules: CompiledRule[], event: OperationEvent, result: unknown, origin: Origin): Promise<void> {
    for (const rule of rules) {
      // Each rule gets its own copy: one that edits its `result` must not change what the others or `true` send.
      const targets = await this.evaluate(rule, event, stripSecrets(result));
      if (targets) await this.delivery.deliver({ slug: event.slug, operation: event.operation, source: rule.source, targets, result, origin, req: event.req });
    }
  }

  private async evaluate(rule: CompiledRule, event: OperationEvent, result: unknown): Promise<Targets | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not settle within ${RULE_TIMEOUT_MS} ms`)), RULE_TIMEOUT_MS);
      });
      const targets = await Promise.race([rule.evaluate(event.args, event.req, result), timeout]);
      if (Array.isArray(targets)) throw new Error('returned an array; a rule returns an object of targets ({ public, self, <room> }) or false');
      return targets && typeof targets === 'object' ? targets : undefined;
    } catch (error) {
      this.logger.error(
        `Rule ${rule.source} for ${event.slug}.${event.operation} failed: ${(error as Error)?.message ?? error}`,
        (error as Error)?.stack,
      );
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
