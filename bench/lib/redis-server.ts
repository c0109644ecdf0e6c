import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { sleep } from './stats.js';

/** A throw-away `redis-server` on a free port, no persistence; `stop()` kills it (also when the bench exits). */
export class RedisServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(ctx: BenchContext, binary = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'): Promise<RedisServer> {
    const port = await freePort();
    const out = openSync(join(ctx.logsDir, `redis-${port}.log`), 'a');
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', out, out] });
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}); see logs/redis-${port}.log`)));
    });
    exited.catch(() => undefined);
    const onExit = (): void => void child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    await Promise.race([answersPing(port), exited]);
    return new RedisServer(child, port);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([gone, sleep(5_000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls with an inline PING until the server answers +PONG (10 s at most). */
async function answersPing(port: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => (socket.end(), resolve(data.toString().startsWith('+PONG'))));
    });
    if (pong) return;
    await sleep(100);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}
