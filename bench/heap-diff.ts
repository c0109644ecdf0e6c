import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/heap-diff.js <at-0.heapsnapshot> <at-N.heapsnapshot> <N>`: what N sockets added to the heap,
 * per socket, by kind of object (from `npm run bench -- --only=p4 --profile`, which writes the two snapshots of
 * each server into results/heap). Diff ours against raw to see what the module adds per socket.
 */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function byKind(file: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const kind = types[snap.nodes[i + type]];
    const label = /string/.test(kind) ? '(strings)' : ['code', 'hidden', 'number'].includes(kind) ? `(${kind})` : snap.strings[snap.nodes[i + name]].slice(0, 60);
    const key = `${kind} ${label}`;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + size];
    out.set(key, entry);
  }
  return out;
}

const [before, after, n] = process.argv.slice(2);
if (!before || !after || !n) {
  console.error('usage: node dist/bench/heap-diff.js <at-0.heapsnapshot> <at-N.heapsnapshot> <N>');
  process.exit(1);
}
const sockets = Number(n);
const a = byKind(before);
const rows = [...byKind(after)].map(([key, e]) => ({ key, count: (e.count - (a.get(key)?.count ?? 0)) / sockets, bytes: (e.bytes - (a.get(key)?.bytes ?? 0)) / sockets }));
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(`${(total / 1024).toFixed(2)} KB per socket (self sizes)\n`);
for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, 30)) {
  console.log(`${r.bytes.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(7)} objects  ${r.key}`);
}
