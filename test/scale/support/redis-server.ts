import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { scaled } from '../../support/timing.js';

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real `redis-server` child process (the scale suites' and the bench's P5), on its own port, with no persistence:
 * killing it loses every key and stream entry, as a crashed Redis without AOF does. `REDIS_SERVER` names another
 * binary. It is killed when this process exits, however that happens.
 */
export class RedisServer {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    // Parallel test workers pick free ports at the same time: another may take ours before redis binds it.
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort());
      try {
        await server.spawn();
        return server;
      } catch (error) {
        if (attempt >= 5 || !/Address already in use/i.test((error as Error).message)) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL, as a crash or an OOM kill: no goodbye to the clients. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** SIGSTOP: the process stops answering but keeps its connections open (as a hung host or a silent partition). */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT: it answers again, everything sent meanwhile included. */
  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** A new process on the same port (the apps' clients reconnect to it by themselves). */
  restart(): Promise<void> {
    return this.spawn();
  }

  stop(): Promise<void> {
    return this.kill();
  }

  private spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn(process.env.REDIS_SERVER ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onExit = (): void => void child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${scaled(10_000)} ms`)), scaled(10_000));
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${error.message}\n${output}`));
      };
      child.once('error', (error) => fail(new Error(`redis-server could not be started (is it installed?): ${error.message}`)));
      const exitedEarly = (code: number | null) => fail(new Error(`redis-server exited with ${code}`));
      child.once('exit', exitedEarly);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.off('exit', exitedEarly);
          child.stdout!.removeAllListeners('data');
          child.stdout!.resume(); // keep draining: a full pipe would block the server
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
  }
}
