import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `node dist/bench/profile-summary.js <file.cpuprofile | folder>`: where a server's CPU time went (from
 * `npm run bench --profile`): self time per function, and total time (self + callees) of the module's own
 * functions (src/), so a slow figure can be traced to file:function.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const root = process.cwd();
const where = (node: Node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? relative(root, url.replace(/^file:\/\//, '')).replace(/^dist\//, '') : '(native)';
  return `${file}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
};

function summarize(file: string, top = 25): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfMs].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)).reduce((a, [, ms]) => a + ms, 0);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    self.set(where(byId.get(id)!), (self.get(where(byId.get(id)!)) ?? 0) + ms);
    // Inclusive time of the module's own functions: each sample counts once per distinct function on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      if (!/\/(src|bench)\//.test(node.callFrame.url) || /node_modules/.test(node.callFrame.url)) continue;
      const key = where(node);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
      seen.add(key);
    }
  }
  const busy = total - idle;
  const line = ([key, ms]: [string, number]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / busy) * 100).toFixed(1).padStart(5)} %  ${key}`;
  console.log(`\n${relative(root, file)}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy`);
  console.log(`\n  self time (top ${top}):`);
  for (const entry of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${line(entry)}`);
  console.log('\n  module functions, total time (self + callees):');
  for (const entry of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${line(entry)}`);
}

const files = process.argv.slice(2).flatMap((arg) =>
  statSync(arg).isDirectory()
    ? readdirSync(arg, { recursive: true }).map(String).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(arg, f))
    : [arg],
);
if (!files.length) console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile | folder>');
for (const file of files) summarize(file);
