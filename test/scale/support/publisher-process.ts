import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/publisher.ts', import.meta.url));

export interface PublisherWrite {
  collection: 'posts' | 'notes';
  data: Record<string, unknown>;
  /** Run as this user, with access control (otherwise the Local API's default: no user, access overridden). */
  asUser?: string | number;
}

/** The process stops here and runs `onPause` (of runPublisher's options) before its next write. */
export const PAUSE = { pause: true } as const;

/**
 * Runs test/scale/fixtures/publisher.ts in its own Node process (Payload's Local API, publishing mode; no Nest, no
 * Socket.IO server) and resolves with the ids it created once it has exited by itself with code 0.
 */
export function runPublisher(
  env: { databaseUrl: string; redisUrl: string; keyPrefix: string },
  steps: (PublisherWrite | typeof PAUSE)[],
  { onPause }: { onPause?: () => Promise<void> } = {},
): Promise<unknown[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, REDIS_PREFIX: env.keyPrefix, WRITES: JSON.stringify(steps) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let paused = 0;
  child.stdin.on('error', () => undefined); // a child that has exited cannot be resumed; its exit code tells why
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const pauses = stdout.split('\n').filter((line) => line === '{"paused":true}').length;
    for (; paused < pauses; paused++) {
      Promise.resolve(onPause?.()).then(
        () => child.stdin.write('\n'),
        (error: unknown) => {
          stderr += `onPause failed: ${String(error)}\n`;
          child.kill();
        },
      );
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{"ids"'));
      if (code === 0 && line) resolve((JSON.parse(line) as { ids: unknown[] }).ids);
      else reject(new Error(`publisher exited with ${code ?? signal}\n${stdout}\n${stderr}`));
    });
  });
}
