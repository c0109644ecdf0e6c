import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './clients.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGISTER = fileURLToPath(new URL('./swc-register.mjs', import.meta.url));

export interface SampleProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Exit code or signal once it has exited; undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * The sample as `npm start` runs it (`sample/main.ts`), in its own Node process: a crash there (an unhandled
 * rejection, an uncaught exception) ends that process, as it would in production, not the test runner. TypeScript
 * is compiled by the same swc settings jest uses (decorator metadata included, which Nest needs).
 */
export async function startSampleProcess(env: { databaseUrl: string; secret: string }): Promise<SampleProcess> {
  const child = spawn(process.execPath, ['--import', REGISTER, 'sample/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATABASE_URL: env.databaseUrl, PAYLOAD_SECRET: env.secret, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: string | undefined;
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', (code, signal) => (exit = String(code ?? signal)));
  const serving = () => /Serving http:\/\/localhost:(\d+)/.exec(output);
  await waitUntil(() => Boolean(serving()) || exit !== undefined, 60_000, 'the sample process to listen');
  if (!serving()) throw new Error(`the sample exited (${exit}) before listening:\n${output}`);
  return {
    child,
    url: `http://127.0.0.1:${serving()![1]}`,
    output: () => output,
    exited: () => exit,
    async stop() {
      if (exit === undefined) child.kill('SIGTERM');
      await waitUntil(() => exit !== undefined, 20_000, 'the sample process to exit');
    },
  };
}
