/**
 * Counts the SQL statements Payload's SQLite adapter sends (libsql client `execute`/`batch`, and `execute` on
 * transactions): P3 reads it before a write and after the module has delivered it. Per statement text it also
 * keeps how often it ran and for how long, to tell which query a profile's time in libsql belongs to.
 */
type Fn = (...args: any[]) => any;
type Client = Record<string, Fn>;

export interface QueryStats {
  count(): number;
  top(n: number): { sql: string; calls: number; ms: number }[];
}

export function countQueries(client: Client): QueryStats {
  let count = 0;
  const bySql = new Map<string, { calls: number; ms: number }>();
  const record = (sql: string, ms: number) => {
    const key = sql.replace(/\s+/g, ' ').slice(0, 160);
    const entry = bySql.get(key) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    bySql.set(key, entry);
  };
  const textOf = (statement: unknown): string =>
    typeof statement === 'string' ? statement : String((statement as { sql?: string })?.sql ?? '?');
  const wrap = (target: Client, method: string) => {
    const original = target[method]?.bind(target);
    if (!original) return;
    target[method] = (...args: any[]) => {
      const statements = method === 'batch' && Array.isArray(args[0]) ? args[0] : [args[0]];
      count += statements.length;
      const started = performance.now();
      const result = original(...args);
      const done = () => {
        const ms = (performance.now() - started) / statements.length;
        for (const statement of statements) record(textOf(statement), ms);
      };
      if (result && typeof result.then === 'function') result.then(done, done);
      else done();
      return result;
    };
  };
  wrap(client, 'execute');
  wrap(client, 'batch');
  const transaction = client.transaction?.bind(client);
  if (transaction) {
    client.transaction = async (...args: any[]) => {
      const tx = await transaction(...args);
      wrap(tx, 'execute');
      wrap(tx, 'batch');
      return tx;
    };
  }
  return {
    count: () => count,
    top: (n) => [...bySql].map(([sql, e]) => ({ sql, ...e })).sort((a, b) => b.ms - a.ms).slice(0, n),
  };
}
