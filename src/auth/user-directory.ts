import type { RecipientUser } from '../access/index.js';

/**
 * The user documents of this instance's authenticated sockets, one entry per user however many sockets it
 * has: access checks read the user from here (no query per emit), and the periodic re-check refreshes it.
 */
export class UserDirectory {
  private readonly users = new Map<string, { user: RecipientUser; sockets: number }>();

  hold(key: string, user: RecipientUser): void {
    const entry = this.users.get(key);
    if (entry) entry.sockets += 1;
    else this.users.set(key, { user, sockets: 1 });
  }

  release(key: string): void {
    const entry = this.users.get(key);
    if (entry && --entry.sockets <= 0) this.users.delete(key);
  }

  get(key: string): RecipientUser | undefined {
    return this.users.get(key)?.user;
  }

  update(key: string, user: RecipientUser): void {
    const entry = this.users.get(key);
    if (entry) entry.user = user;
  }

  keys(): string[] {
    return [...this.users.keys()];
  }

  get size(): number {
    return this.users.size;
  }
}
