import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis-server.js';

/** Where initdb and postgres are: `PG_BIN`, else Debian's PostgreSQL 15, else the PATH. */
function pgBinary(name: 'initdb' | 'postgres'): string {
  const dir = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
  return existsSync(join(dir, name)) ? join(dir, name) : name;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A PostgreSQL cluster of its own (initdb in a temp folder, `postgres` on a free port of 127.0.0.1, trust auth), for
 * tests that restart the server: the machine's shared cluster serves other suites. Removed when stopped; the server
 * is killed when this process exits, however that happens.
 */
export class PostgresServer {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly user?: { uid: number; gid: number },
  ) {}

  static async start(): Promise<PostgresServer> {
    const folder = mkdtempSync(join(tmpdir(), 'nps-pg-'));
    const user = runAs();
    if (user) chownSync(folder, user.uid, user.gid);
    const dataDir = join(folder, 'data');
    const init = spawnSync(pgBinary('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      encoding: 'utf8',
      cwd: folder,
      ...user,
    });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.error?.message}):\n${init.stdout}\n${init.stderr}`);
    const server = new PostgresServer(await freePort(), dataDir, user);
    await server.spawn();
    return server;
  }

  /** A URL of database `name` on this server. */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** A new empty database; resolves with its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /**
   * As `pg_ctlcluster … restart` does (`pg_ctl restart -m fast`): SIGINT, so every session is ended with 57P01
   * ("terminating connection due to administrator command") and open transactions are rolled back; then a new
   * postmaster on the same port. Resolves once it accepts connections again.
   */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.spawn();
  }

  async stop(): Promise<void> {
    await this.shutdown();
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    this.child = undefined;
  }

  private spawn(): Promise<void> {
    const args = ['-D', this.dataDir, '-p', String(this.port), '-k', join(this.dataDir, '..'), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
    const child = spawn(pgBinary('postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...this.user });
    this.child = child;
    const onExit = (): void => void child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('postgres did not start within 30 s')), 30_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${error.message}\n${output}`));
      };
      child.once('error', (error) => fail(new Error(`postgres could not be started: ${error.message}`)));
      const exitedEarly = (code: number | null) => fail(new Error(`postgres exited with ${code}`));
      child.once('exit', exitedEarly);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          child.off('exit', exitedEarly);
          for (const stream of [child.stdout!, child.stderr!]) {
            stream.removeAllListeners('data');
            stream.resume(); // keep draining: a full pipe would block the server
          }
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
    });
  }
}
