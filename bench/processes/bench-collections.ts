import type { CollectionConfig, CollectionAfterChangeHook } from 'payload';
import { stamp } from '../lib/stats.js';

/**
 * The collections the bench writes to. Every one stamps the document after the write (`committedAt`, on SQLite
 * without a transaction the write is durable by then), so a socket's receipt time minus it is commit → receipt.
 */
const stampCommit: CollectionAfterChangeHook = ({ doc }) => ({ ...doc, committedAt: stamp() });

const benchCollection = (slug: string, create: unknown): CollectionConfig => ({
  slug,
  access: { read: () => true, create: () => true },
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'seq', type: 'number' },
  ],
  hooks: { afterChange: [stampCommit] },
  custom: { socketAccess: { create } },
});

export const benchUsers: CollectionConfig = { slug: 'users', auth: true, fields: [] };

/** P1: one rule with the three kinds of target, as the contract's sample has it. */
export const posts = benchCollection('posts', (_args: unknown, _req: unknown, result: Record<string, unknown>) => ({
  public: { ...result, hello: 'world' },
  self: true,
  lorem: 'ipsum',
}));

/** P2 and soak: a built value to `public`, so the emit path is measured and not the access checks. */
export const feed = benchCollection('feed', (_args: unknown, _req: unknown, result: Record<string, unknown>) => ({
  public: { ...result, hello: 'world' },
}));

/** P2's access-aware variant: `public: true`, each socket gets what its user may read. */
export const open = benchCollection('open', { public: true });
