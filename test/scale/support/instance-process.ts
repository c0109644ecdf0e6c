import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SECRET } from './secret.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/instance.ts', import.meta.url));
const LOADER = fileURLToPath(new URL('../../support/swc-register.mjs', import.meta.url));

export interface InstanceEnv {
  databaseUrl: string;
  /** PayloadSocketModule options besides `config` (JSON: no functions). */
  options?: Record<string, unknown>;
}

/**
 * test/scale/fixtures/instance.ts (the sample's module and rules) in its own Node process. It is SIGKILLed when this process exits,
 * however that happens. `exit` settles when it ends; `output` holds everything it wrote to stderr and stdout.
 */
export class InstanceProcess {
  output = '';
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exit = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** True until the process has ended. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static start(env: InstanceEnv, timeoutMs = 60_000): Promise<InstanceProcess> {
    const child = spawn(process.execPath, ['--enable-source-maps', '--import', LOADER, FIXTURE], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: env.databaseUrl,
        OPTIONS: JSON.stringify(env.options ?? {}),
        SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onExit = (): void => void child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    let output = '';
    let instance: InstanceProcess | undefined;
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (instance) instance.output = output;
    };
    child.stderr!.on('data', keep);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not serve within ${timeoutMs / 1000} s`), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`instance ${why}\n${output}`));
      };
      child.once('error', (error) => fail(`could not be started: ${error.message}`));
      const exitedEarly = (code: number | null, signal: string | null) => fail(`exited with ${code ?? signal} before serving`);
      child.once('exit', exitedEarly);
      child.stdout!.on('data', (chunk: Buffer) => {
        keep(chunk);
        if (instance) return;
        const line = output.split('\n').find((l) => l.startsWith('{"url"'));
        if (!line) return;
        clearTimeout(timer);
        child.off('exit', exitedEarly);
        instance = new InstanceProcess(child, (JSON.parse(line) as { url: string }).url);
        instance.output = output;
        resolve(instance);
      });
    });
  }

  /** SIGKILL: the instance dies with no goodbye to anyone (an OOM kill, a lost host). Resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM: a graceful shutdown (Nest's shutdown hooks). Resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    await this.exit;
  }
}
