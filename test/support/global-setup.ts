/**
 * What `npm test` needs from the machine, found or provided before any test file runs. This is jest's
 * `globalSetup` (one file: jest loads it as CommonJS, without the suites' module mapping); the workers inherit the
 * environment it sets (`PG_ADMIN_URL`, `REDIS_SERVER`, `CHROMIUM_PATH`):
 *
 * - `redis-server` (the scale suites start their own: test/scale/support/redis-server.ts; `REDIS_SERVER` names
 *   another binary) and Chromium (the browser test; `CHROMIUM_PATH`, default `/usr/bin/chromium`): found on PATH,
 *   or installed with `apt-get` when missing and running as root, or one error naming the command to run.
 * - PostgreSQL: `PG_ADMIN_URL` when set (a role with CREATEDB: test/support/postgres.ts); otherwise a throwaway
 *   cluster owned by this run: `initdb` into a temp folder, `postgres` on a free loopback port (as the `postgres`
 *   OS user when running as root: the server refuses root), a CREATEDB role `nps_test`, and `PG_ADMIN_URL` exported
 *   for the workers. It is stopped and deleted by globalTeardown, and by the next run if this one was killed.
 *   Binaries: /usr/lib/postgresql/<highest version>/bin, else `initdb` on PATH; `apt-get install postgresql` when
 *   missing and root.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

const isRoot = process.getuid?.() === 0;
const log = (message: string) => process.stderr.write(`[test setup] ${message}\n`);

/** The absolute path of `command` on PATH, or undefined. */
export function onPath(command: string): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir || '.', command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Installs Debian packages (one `apt-get update` first), or throws the command to run when that is not possible. */
function aptInstall(packages: string[], why: string): void {
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (!isRoot || !onPath('apt-get')) {
    throw new Error(`${why}. npm test installs it only when running as root on Debian; install it yourself (as root: ${command}) and run npm test again.`);
  }
  log(`${why}: running ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'inherit', 'inherit'], env });
  } catch (error) {
    throw new Error(`${why}, and \`${command}\` failed: ${(error as Error).message}`, { cause: error });
  }
}

/** The highest-versioned Debian PostgreSQL bin folder, or the folder of `initdb` on PATH. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => isExecutable(join(root, v, 'bin', 'initdb')) && isExecutable(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions.length) return join(root, versions[0], 'bin');
  }
  const initdb = onPath('initdb');
  return initdb ? initdb.slice(0, -'/initdb'.length) : undefined;
}

/** Makes sure every tool the suites need is there, installing what is missing (one apt-get run) when possible. */
export function provideTools(): { redisServer: string; chromium: string; postgresBin?: string } {
  const redisName = process.env.REDIS_SERVER ?? 'redis-server';
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const needPostgres = !process.env.PG_ADMIN_URL;
  const missing: string[] = [];
  const why: string[] = [];
  if (!onPath(redisName)) {
    if (process.env.REDIS_SERVER) throw new Error(`REDIS_SERVER=${process.env.REDIS_SERVER} is not an executable file.`);
    missing.push('redis-server');
    why.push('redis-server is not on PATH (the scale suites start their own)');
  }
  if (!isExecutable(chromiumPath)) {
    if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file.`);
    missing.push('chromium');
    why.push(`${chromiumPath} is missing (the browser test drives it)`);
  }
  if (needPostgres && !postgresBinDir()) {
    missing.push('postgresql');
    why.push('PostgreSQL binaries (initdb, postgres) are missing and PG_ADMIN_URL is not set');
  }
  if (missing.length) aptInstall(missing, why.join('; '));
  const redisServer = onPath(redisName);
  if (!redisServer) throw new Error(`redis-server is still not on PATH after installing it (PATH=${process.env.PATH}).`);
  if (!isExecutable(chromiumPath)) throw new Error(`${chromiumPath} is still missing after installing chromium.`);
  const postgresBin = needPostgres ? postgresBinDir() : undefined;
  if (needPostgres && !postgresBin) throw new Error('PostgreSQL binaries are still missing after installing postgresql.');
  return { redisServer, chromium: chromiumPath, postgresBin };
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

const CLUSTER_PREFIX = 'nps-pg-';

export interface PostgresCluster {
  /** A CREATEDB role's URL on the cluster's `postgres` database (what `PG_ADMIN_URL` names). */
  adminUrl: string;
  port: number;
  folder: string;
  stop(): void;
}

/** Runs a PostgreSQL binary as the cluster's OS user (`postgres` when we are root: the server refuses root). */
function runAs(user: string | undefined, bin: string, args: string[], options: { input?: string } = {}): string {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', bin, ...args]] : [bin, args];
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: options.input ?? '', cwd: '/' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: error });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters left by runs that were killed before their teardown: stopped (immediate) and deleted. */
function removeOrphanClusters(bin: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(CLUSTER_PREFIX)) continue;
    const folder = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(folder, 'owner.pid'), 'utf8'));
    } catch {
      // No owner file: another run's setup that is just starting, or one that died before writing it long ago.
      if (Date.now() - statSync(folder).mtimeMs < 10 * 60_000) continue;
      owner = Number.NaN;
    }
    if (Number.isInteger(owner) && processAlive(owner)) continue; // another run's, still going
    stopServer(folder, bin, 'immediate');
    rmSync(folder, { recursive: true, force: true });
    log(`removed the PostgreSQL cluster of an earlier run that did not finish (${folder})`);
  }
}

/** Stops the postmaster of `folder` if it runs: signals it by its pid (root may signal any user's process). */
function stopServer(folder: string, _bin: string, mode: 'fast' | 'immediate'): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(folder, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
  // A fast shutdown takes well under a second here; wait for it so the folder can go (bounded: 30 s).
  const deadline = Date.now() + 30_000;
  while (processAlive(pid) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** A throwaway PostgreSQL cluster, ready, with the CREATEDB role `nps_test`. */
export async function startPostgresCluster(bin: string): Promise<PostgresCluster> {
  removeOrphanClusters(bin);
  const user = isRoot ? 'postgres' : undefined;
  if (user) {
    try {
      execFileSync('id', ['-u', user], { stdio: 'ignore' });
    } catch {
      throw new Error(`Running as root, the throwaway PostgreSQL cluster needs the OS user "${user}" (the server refuses root): install postgresql (apt-get install -y postgresql) or set PG_ADMIN_URL.`);
    }
  }
  const folder = mkdtempSync(join(tmpdir(), CLUSTER_PREFIX));
  writeFileSync(join(folder, 'owner.pid'), String(process.pid));
  const data = join(folder, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (user) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    chownSync(folder, uid, gid);
    chownSync(data, uid, gid);
  }
  const stop = () => {
    stopServer(folder, bin, 'fast');
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    runAs(user, join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    // Durability off (a throwaway cluster), room for parallel workers' pools, sockets in the cluster's own folder.
    const options = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${folder}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=500',
      '-c log_min_messages=warning',
    ].join(' ');
    runAs(user, join(bin, 'pg_ctl'), ['start', '-w', '-t', '120', '-D', data, '-l', join(folder, 'server.log'), '-o', options]);
    const superuser = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await superuser.connect();
    try {
      await superuser.query("CREATE ROLE nps_test LOGIN CREATEDB PASSWORD 'nps_test'");
    } finally {
      await superuser.end();
    }
    return { adminUrl: `postgres://nps_test:nps_test@127.0.0.1:${port}/postgres`, port, folder, stop };
  } catch (error) {
    let serverLog = '';
    try {
      serverLog = readFileSync(join(folder, 'server.log'), 'utf8');
    } catch {
      /* not started */
    }
    stop();
    throw new Error(`Could not start a throwaway PostgreSQL cluster (${bin}): ${(error as Error).message}\n${serverLog}`, { cause: error });
  }
}

declare global {
  // eslint-disable-next-line no-var
  var __npsPostgresCluster: PostgresCluster | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const tools = provideTools();
  process.env.REDIS_SERVER = tools.redisServer;
  process.env.CHROMIUM_PATH = tools.chromium;
  let postgres = `PG_ADMIN_URL (${new URL(process.env.PG_ADMIN_URL ?? 'postgres://x').host})`;
  if (tools.postgresBin) {
    const cluster = await startPostgresCluster(tools.postgresBin);
    globalThis.__npsPostgresCluster = cluster;
    // Also on a crash or Ctrl-C of jest, not only through globalTeardown.
    process.once('exit', () => cluster.stop());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        cluster.stop();
        process.kill(process.pid, signal);
      });
    }
    process.env.PG_ADMIN_URL = cluster.adminUrl;
    postgres = `a throwaway cluster on port ${cluster.port} (${tools.postgresBin})`;
  }
  process.stderr.write(
    `\n[test setup] ${((Date.now() - started) / 1000).toFixed(1)} s: PostgreSQL: ${postgres}; redis-server: ${tools.redisServer}; ` +
      `Chromium: ${tools.chromium}; time scale ${process.env.TEST_TIME_SCALE} (TEST_TIME_SCALE), ${process.env.TEST_WORKERS} workers (TEST_WORKERS)\n`,
  );
}
