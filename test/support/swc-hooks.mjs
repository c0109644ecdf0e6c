/**
 * Node module hooks that run the repository's TypeScript as jest does (@swc/jest with .swcrc: decorators with
 * metadata, which Nest's dependency injection needs and tsx/esbuild do not emit). For child processes of the
 * tests: `node --import ./test/support/swc-register.mjs sample/main.ts`.
 */
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const swcrc = JSON.parse(readFileSync(new URL('../../.swcrc', import.meta.url), 'utf8'));
delete swcrc.$schema;

/** `./x.js` written in a .ts file names `./x.ts` (nodenext style). */
export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:')) && context.parentURL?.endsWith('.ts')) {
    const url = new URL(specifier, context.parentURL);
    const ts = new URL(url.href.replace(/\.js$/, '.ts'));
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts') || url.includes('/node_modules/')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = await swc.transform(readFileSync(filename, 'utf8'), { ...swcrc, filename, sourceMaps: 'inline', swcrc: false });
  return { format: 'module', source: code, shortCircuit: true };
}
