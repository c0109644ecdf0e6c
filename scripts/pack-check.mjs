#!/usr/bin/env node
/**
 * Release check (`npm run pack:check`): what a Nest user gets from `npm install nest-payload-socket`.
 *
 * 1. Builds the package (src → dist/src, in a staging copy: the working tree's dist/ is left alone) and `npm pack`s
 *    it; the tarball must hold only package.json, README.md, LICENSE, CHANGELOG.md, dist/src and dist/client.
 * 2. Installs the tarball into a new folder with the peers the README's Usage section lists (at the versions this
 *    repository tests), and nothing else: no optional peer (redis, the Redis adapters, connect-pg-simple).
 * 3. Writes the README's `src/app.module.ts` and `src/main.ts` as they are, compiles them with strict TypeScript, and
 *    compiles the package's own declarations with `skipLibCheck: false` (errors inside Payload's declarations are
 *    counted, not failed: they need react, zod and pg types).
 * 4. Starts the app, connects a socket.io client, registers the first user (`first-register`), creates a post
 *    through the API and waits for `public.posts.create` with that title.
 * 5. Configures `redis` without the optional packages installed: the start fails naming the package to install.
 *
 * Leaves nothing behind (KEEP=1 keeps the temp folder). Exits non-zero with the reason on any failure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'nps-pack-check-'));
const started = Date.now();
const step = (message) => console.log(`\n[pack:check ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
const run = (file, args, options = {}) => execFileSync(file, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
const fail = (message) => {
  throw new Error(message);
};

/** The version of a package installed in this repository (what the suite tests). */
const installed = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

/** A ```ts block of the README whose first line is `// <file>`. */
function readmeBlock(readme, file) {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.startsWith(`// ${file}\n`));
  if (!block) fail(`README.md has no \`\`\`ts block starting with "// ${file}"`);
  return block;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function until(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

  // 1. Build in a staging copy and pack ------------------------------------------------------------------------
  step('build and npm pack');
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const name of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'tsconfig.build.json']) {
    if (!existsSync(join(root, name))) fail(`${name} is missing`);
    cpSync(join(root, name), join(stage, name));
  }
  cpSync(join(root, 'src'), join(stage, 'src'), { recursive: true });
  if (existsSync(join(root, 'client'))) cpSync(join(root, 'client'), join(stage, 'client'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'));
  writeFileSync(
    join(stage, 'tsconfig.pack.json'),
    JSON.stringify({ extends: './tsconfig.build.json', compilerOptions: { rootDir: '.', outDir: 'dist' }, include: ['src', ...(existsSync(join(root, 'client')) ? ['client'] : [])] }),
  );
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.pack.json'], { cwd: stage });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: stage, encoding: 'utf8' }));
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/src\/.+|dist\/client\/.+)$/;
  const stray = files.filter((f) => !allowed.test(f));
  if (stray.length) fail(`the tarball holds files outside the whitelist: ${stray.join(', ')}`);
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/src/index.js', 'dist/src/index.d.ts']) {
    if (!files.includes(needed)) fail(`the tarball lacks ${needed}`);
  }
  console.log(`${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KB packed, ${(packed[0].unpackedSize / 1024).toFixed(0)} KB unpacked; only the whitelist`);

  // 2. A new Nest app installs the tarball and the README's peers ------------------------------------------------
  step('npm install the tarball into a new app');
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const peers = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/websockets', '@nestjs/platform-socket.io', 'socket.io', 'payload', '@payloadcms/graphql', 'graphql', '@payloadcms/db-sqlite', 'reflect-metadata', 'rxjs'];
  const devs = ['typescript', '@types/node', 'socket.io-client'];
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const name of [...peers, ...devs]) if (!readme.includes(` ${name}`)) fail(`the README's install line does not name ${name}`);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'pack-check-app',
        private: true,
        type: 'module',
        dependencies: { [pkg.name]: pathToFileURL(tarball).href, ...Object.fromEntries(peers.map((n) => [n, installed(n)])) },
        devDependencies: Object.fromEntries(devs.map((n) => [n, installed(n)])),
      },
      null,
      2,
    ),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app });
  const optionalPeers = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((n) => pkg.peerDependenciesMeta[n].optional);
  const present = optionalPeers.filter((n) => existsSync(join(app, 'node_modules', n)));
  if (present.length) fail(`optional peers were installed without being asked for: ${present.join(', ')}`);
  console.log(`installed; none of the optional peers (${optionalPeers.join(', ')})`);

  // 3. The README's example, compiled strict; the package's declarations with skipLibCheck: false ----------------
  step("compile the README's example (strict) and the package's declarations (skipLibCheck: false)");
  writeFileSync(join(app, 'src', 'app.module.ts'), readmeBlock(readme, 'src/app.module.ts'));
  writeFileSync(join(app, 'src', 'main.ts'), readmeBlock(readme, 'src/main.ts'));
  const compilerOptions = {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    outDir: 'dist',
    rootDir: 'src',
    types: ['node'],
  };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: true }, include: ['src'] }, null, 2));
  run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: app });
  writeFileSync(join(app, 'tsconfig.libcheck.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: false, noEmit: true }, include: ['src'] }, null, 2));
  let output = '';
  try {
    output = execFileSync(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.libcheck.json', '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
  const ours = errors.filter((line) => line.startsWith(`node_modules/${pkg.name}/`) || line.startsWith('src/'));
  if (ours.length) fail(`with skipLibCheck: false, the package's declarations (or the example) do not compile:\n${ours.join('\n')}`);
  const elsewhere = new Set(errors.map((line) => line.split('(')[0].split('/').slice(0, 2).join('/')));
  console.log(`strict compile passed; skipLibCheck: false: 0 errors in ${pkg.name} and src/, ${errors.length} in other packages' declarations (${[...elsewhere].join(', ') || 'none'})`);

  // 4. Run it: first user, a post, the event on a socket -----------------------------------------------------------
  step('start the app, register the first user, create a post, wait for public.posts.create');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, PORT: String(port), PAYLOAD_SECRET: 'pack-check-secret' };
  delete env.NODE_OPTIONS;
  const server = spawn(process.execPath, ['dist/main.js'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise((resolveExit) => server.once('exit', (code, signal) => resolveExit({ code, signal })));
  let socket;
  try {
    await until('the app to answer GET /api/posts', 180_000, async () => {
      if (server.exitCode !== null) fail(`the app exited with ${server.exitCode}:\n${log}`);
      return (await fetch(`${url}/api/posts`)).status === 200;
    });
    if (!existsSync(join(app, 'data', 'app.db'))) fail('the app did not create data/app.db');
    const { io } = createRequire(join(app, 'package.json'))('socket.io-client');
    socket = io(url, { transports: ['websocket'], reconnection: false });
    const received = [];
    socket.on('public.posts.create', (post) => received.push(post));
    await new Promise((resolveConnect, reject) => {
      socket.once('connect', resolveConnect);
      socket.once('connect_error', reject);
    });
    const json = { 'content-type': 'application/json' };
    const registered = await fetch(`${url}/api/users/first-register`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'admin@example.com', password: 'a long password' }) });
    const { token } = await registered.json();
    if (registered.status !== 200 || !token) fail(`first-register answered ${registered.status}`);
    const anonymous = await fetch(`${url}/api/posts`, { method: 'POST', headers: json, body: JSON.stringify({ title: 'anonymous' }) });
    if (anonymous.status !== 403) fail(`an anonymous create answered ${anonymous.status}, not 403`);
    const title = `from pack:check ${Date.now()}`;
    const created = await fetch(`${url}/api/posts`, { method: 'POST', headers: { ...json, Authorization: `JWT ${token}` }, body: JSON.stringify({ title }) });
    if (created.status !== 201) fail(`creating a post answered ${created.status}: ${await created.text()}`);
    const post = await until('public.posts.create on the socket', 30_000, async () => received.find((p) => p?.title === title));
    console.log(`public.posts.create arrived: ${JSON.stringify({ id: post.id, title: post.title })}`);
    const admin = await fetch(`${url}/admin`);
    if (admin.status !== 404) fail(`/admin answered ${admin.status}, not 404 (the README says the admin panel is not served)`);
  } finally {
    socket?.close();
    server.kill('SIGTERM');
    const { code, signal } = await exited;
    if (code !== 0 && code !== null && signal === null) console.log(`(the app exited with ${code} on SIGTERM)\n${log}`);
  }

  // 5. An option that needs a missing optional peer names it -------------------------------------------------------
  step('the `redis` option without the optional packages');
  writeFileSync(
    join(app, 'missing-peer.mjs'),
    `import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import { buildConfig } from 'payload';
import { PayloadSocketModule } from '${pkg.name}';
const config = buildConfig({ secret: 'x', db: sqliteAdapter({ client: { url: 'file:./data/missing-peer.db' } }), collections: [] });
class M {}
Module({ imports: [PayloadSocketModule.forRoot({ config, redis: 'redis://127.0.0.1:1', ...JSON.parse(process.argv[2]) })] })(M);
try {
  const app = await NestFactory.create(M, { logger: false, abortOnError: false });
  await app.close();
  console.log('STARTED');
} catch (error) {
  console.log('ERROR ' + error.message);
}
process.exit(0);
`,
  );
  for (const [options, needed] of [[{}, '@socket.io/redis-streams-adapter'], [{ redis: { url: 'redis://127.0.0.1:1', adapter: 'pubsub' } }, '@socket.io/redis-adapter']]) {
    const out = execFileSync(process.execPath, ['missing-peer.mjs', JSON.stringify(options)], { cwd: app, encoding: 'utf8', env });
    if (!out.includes(`npm install ${needed}`)) fail(`configuring ${JSON.stringify(options)} without ${needed} did not say to install it:\n${out}`);
    console.log(out.trim().split('\n').find((line) => line.startsWith('ERROR')));
  }

  step(`passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

try {
  await main();
} catch (error) {
  console.error(`\npack:check FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (process.env.KEEP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
