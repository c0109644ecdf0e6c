import type { ChildProcess } from 'node:child_process';

/** Request/response over a child's IPC channel: `{ id, cmd, args }` → `{ id, result | error }`. */
interface Reply {
  id?: number;
  result?: unknown;
  error?: string;
  type?: string;
  [key: string]: unknown;
}

export class Rpc {
  private next = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private readonly readyWaiters: ((message: Reply) => void)[] = [];
  private exited?: string;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.on('message', (message: Reply) => {
      if (message.type === 'ready') {
        for (const waiter of this.readyWaiters.splice(0)) waiter(message);
        return;
      }
      const entry = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id!);
      clearTimeout(entry.timer);
      if (message.error) entry.reject(new Error(`${this.name}: ${message.error}`));
      else entry.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
      this.exited = `${this.name} exited (code ${code}, signal ${signal})`;
      for (const [, entry] of this.pending) {
        clearTimeout(entry.timer);
        entry.reject(new Error(this.exited));
      }
      this.pending.clear();
    });
  }

  /** Resolves with the child's `{ type: 'ready', ... }` message. */
  ready(timeoutMs = 60_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready within ${timeoutMs} ms`)), timeoutMs);
      this.child.once('exit', () => reject(new Error(this.exited ?? `${this.name} exited before it was ready`)));
      this.readyWaiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  call<T>(cmd: string, args: unknown = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ id, cmd, args });
    });
  }

  /** Asks the child to close, then waits for it to exit (killing it after a grace period). */
  async close(graceMs = 10_000): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.call('close', {}, graceMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

type Handler = (args: any) => unknown;

/** Child side: answers the parent's calls, exits when the parent goes away. */
export function serve(handlers: Record<string, Handler>, ready: Record<string, unknown>): void {
  process.on('message', async (message: { id: number; cmd: string; args: unknown }) => {
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      const result = await handler(message.args);
      process.send?.({ id: message.id, result: result ?? null });
    } catch (error) {
      process.send?.({ id: message.id, error: (error as Error)?.stack ?? String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', ...ready });
}
