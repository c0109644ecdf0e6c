/**
 * REST writes from the bench process, like one browser tab: keep-alive connections (Node's fetch pools them)
 * and the session cookie the first response set, so `self` reaches that session's sockets.
 */
export class Writer {
  cookie?: string;

  constructor(readonly url: string) {}

  /** Opens the session: a plain GET whose response sets the session cookie. */
  async openSession(): Promise<string | undefined> {
    const response = await fetch(`${this.url}/api/posts?limit=1`);
    await response.arrayBuffer();
    const sid = response.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('connect.sid='));
    this.cookie = sid;
    return sid;
  }

  /** POST /api/<collection>: the time from sending to the whole body read, and the created document. */
  async create(collection: string, seq: number, extra: Record<string, unknown> = {}, query = ''): Promise<{ ms: number; doc: Record<string, unknown> }> {
    const started = performance.now();
    const response = await fetch(`${this.url}/api/${collection}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify({ title: `bench post ${seq}`, seq, ...extra }),
    });
    const body = (await response.json()) as { doc?: Record<string, unknown>; errors?: unknown };
    const ms = performance.now() - started;
    if (response.status !== 201 || !body.doc) throw new Error(`create ${collection} → ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    return { ms, doc: body.doc };
  }
}
