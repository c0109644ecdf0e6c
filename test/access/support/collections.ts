import type { Access, CollectionConfig, FieldAccess } from 'payload';

/** Test collections covering every access shape the engine must reproduce. */
type Role = 'admin' | 'user';
const roleOf = (user: unknown): Role | undefined => (user as { role?: Role } | null)?.role;

export const isAdmin: Access = ({ req }) => roleOf(req.user) === 'admin';
/** async on purpose: field access returning a Promise must be awaited */
const adminsOnlyField: FieldAccess = async ({ req }) => roleOf(req.user) === 'admin';

export const users: CollectionConfig = {
  slug: 'users',
  auth: { useAPIKey: true },
  fields: [
    { name: 'name', type: 'text' },
    { name: 'role', type: 'select', options: ['admin', 'user'], defaultValue: 'user', required: true },
    { name: 'phone', type: 'text', access: { read: ({ req, doc }) => roleOf(req.user) === 'admin' || req.user?.id === doc?.id } },
  ],
};

/** Open collection, with a hidden field and a relationship. */
export const posts: CollectionConfig = {
  slug: 'posts',
  access: { read: () => true },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'internalNote', type: 'text', hidden: true },
    { name: 'author', type: 'relationship', relationTo: 'users' },
    { name: 'tags', type: 'text', hasMany: true },
  ],
};

/** Owner-scoped read, admin-only `secret` fields at every nesting level. */
export const notes: CollectionConfig = {
  slug: 'notes',
  access: {
    read: ({ req }) => {
      if (!req.user) return false;
      if (roleOf(req.user) === 'admin') return true;
      return { owner: { equals: req.user.id } };
    },
  },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'secret', type: 'text', access: { read: adminsOnlyField } },
    { name: 'owner', type: 'relationship', relationTo: 'users' },
    { name: 'hiddenScore', type: 'number', hidden: true },
    {
      name: 'meta',
      type: 'group',
      fields: [
        { name: 'visible', type: 'text' },
        { name: 'secret', type: 'text', access: { read: adminsOnlyField } },
        { name: 'hiddenInGroup', type: 'text', hidden: true },
      ],
    },
    {
      name: 'items',
      type: 'array',
      fields: [
        { name: 'label', type: 'text' },
        { name: 'secret', type: 'text', access: { read: adminsOnlyField } },
      ],
    },
    { name: 'adminItems', type: 'array', access: { read: adminsOnlyField }, fields: [{ name: 'x', type: 'text' }] },
    {
      name: 'content',
      type: 'blocks',
      blocks: [
        {
          slug: 'quote',
          fields: [
            { name: 'text', type: 'text' },
            { name: 'secret', type: 'text', access: { read: adminsOnlyField } },
          ],
        },
      ],
    },
    {
      type: 'tabs',
      tabs: [
        { name: 'named', fields: [{ name: 'secret', type: 'text', access: { read: adminsOnlyField } }, { name: 'open', type: 'text' }] },
        { label: 'Unnamed', fields: [{ name: 'tabSecret', type: 'text', access: { read: adminsOnlyField } }] },
      ],
    },
    {
      type: 'row',
      fields: [{ name: 'rowSecret', type: 'text', access: { read: adminsOnlyField } }, { name: 'rowOpen', type: 'text' }],
    },
    {
      type: 'collapsible',
      label: 'More',
      fields: [{ name: 'collapsedSecret', type: 'text', access: { read: adminsOnlyField } }],
    },
  ],
};

/** Role-based boolean: admins only. */
export const reports: CollectionConfig = {
  slug: 'reports',
  access: { read: isAdmin },
  fields: [{ name: 'title', type: 'text' }],
};

/** A Where the matcher cannot decide in memory (a path through a relationship needs a join). */
export const tricky: CollectionConfig = {
  slug: 'tricky',
  access: { read: ({ req }) => (req.user ? { 'owner.role': { equals: 'user' } } : false) },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'owner', type: 'relationship', relationTo: 'users' },
  ],
};

/** Access functions that throw: the engine must deny and report. */
export const fragile: CollectionConfig = {
  slug: 'fragile',
  access: {
    read: ({ req }) => {
      if ((req.user as { name?: string } | null)?.name === 'Bob') throw new Error('boom: collection access');
      return Boolean(req.user);
    },
  },
  fields: [
    { name: 'title', type: 'text' },
    {
      name: 'touchy',
      type: 'text',
      access: {
        read: async () => {
          throw new Error('boom: field access');
        },
      },
    },
  ],
};

/** Scalar fields for checking the matcher against the database. */
export const things: CollectionConfig = {
  slug: 'things',
  access: { read: () => true },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'count', type: 'number' },
    { name: 'flag', type: 'checkbox' },
    { name: 'when', type: 'date' },
    { name: 'kind', type: 'select', options: ['a', 'b', 'c'] },
    { name: 'labels', type: 'select', hasMany: true, options: ['x', 'y', 'z'] },
    { name: 'owner', type: 'relationship', relationTo: 'users' },
    { name: 'group', type: 'group', fields: [{ name: 'inner', type: 'text' }] },
    { name: 'rows', type: 'array', fields: [{ name: 'name', type: 'text' }] },
  ],
};
