import type { CollectionConfig, CollectionAfterChangeHook, Where } from 'payload';
import type { Server } from 'socket.io';
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
  ...(create ? { custom: { socketAccess: { create } } } : {}),
});

/** P1: one rule with the three kinds of target, as the contract's sample has it. */
export const posts = benchCollection('posts', (_args: unknown, _req: unknown, result: Record<string, unknown>) => ({
  public: { ...result, hello: 'world' },
  self: true,
  lorem: 'ipsum',
}));

/**
 * P1's hand-written twin of `posts`: no rule; an afterChange hook sends what the rule makes the module send (the
 * writer's socket sits in a room named `self`), on the next turn so the response goes first, as the module does.
 */
export const handwrittenPosts = (io: () => Server | undefined): CollectionConfig => {
  const collection = benchCollection('posts', undefined);
  const emit: CollectionAfterChangeHook = ({ doc }) => {
    setImmediate(() => {
      const server = io();
      server?.emit('public.posts.create', { ...doc, hello: 'world' });
      server?.to('self').emit('self.posts.create', doc);
      server?.to('lorem').emit('lorem.posts.create', 'ipsum');
    });
    return doc;
  };
  return { ...collection, hooks: { afterChange: [...(collection.hooks?.afterChange ?? []), emit] } };
};

/**
 * P2 and soak: a built value to `public`, so the emit path is measured and not the access checks. `ruleAt`
 * (commit → rule is the module's queueing before the emit) travels in the payload; raw sends one too.
 */
export const feed = benchCollection('feed', (_args: unknown, _req: unknown, result: Record<string, unknown>) => ({
  public: { ...result, hello: 'world', ruleAt: stamp() },
}));

/** P2's access-aware variant: `public: true`, each socket gets what its user may read. */
export const open = benchCollection('open', { public: true });

/** P3: owner-scoped read access (each user reads their own notes), `public: true`. */
const ownerScoped = (slug: string, create: unknown): CollectionConfig => ({
  ...benchCollection(slug, create),
  access: { read: ({ req: { user } }) => (user ? { owner: { equals: user.id } } : false), create: () => true },
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'seq', type: 'number' },
    { name: 'owner', type: 'relationship', relationTo: 'users' },
  ],
});

export const notes = ownerScoped('notes', { public: true });

/**
 * P3 with parity's costly parts: a collection `afterRead` hook reading the request (the usual redaction), so the
 * read pipeline runs once per allowed recipient instead of once for all.
 */
export const hookedNotes: CollectionConfig = {
  ...ownerScoped('hooked-notes', { public: true }),
  hooks: {
    afterChange: [stampCommit],
    afterRead: [({ doc, req }) => (req.user ? doc : { ...doc, title: '(hidden)' })],
  },
};

/**
 * P3 with a sharing list: read access `acl.user equals me AND acl.level in [read, write]` must hold on one array row,
 * which only the database can decide; each user brings its own Where.
 */
export const aclNotes: CollectionConfig = {
  ...benchCollection('acl-notes', { public: true }),
  access: {
    read: ({ req: { user } }): Where | false =>
      user ? { and: [{ 'acl.user': { equals: user.id } }, { 'acl.level': { in: ['read', 'write'] } }] } : false,
    create: () => true,
  },
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'seq', type: 'number' },
    {
      name: 'acl',
      type: 'array',
      fields: [
        { name: 'user', type: 'relationship', relationTo: 'users' },
        { name: 'level', type: 'select', options: ['read', 'write', 'none'] },
      ],
    },
  ],
};
/** The same collection without a rule: what a create costs in queries before the module adds its own. */
export const plainNotes = ownerScoped('plain-notes', undefined);
