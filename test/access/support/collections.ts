import type { Access, CollectionConfig, FieldAccess, Where } from 'payload';

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

/** Access functions that throw (collection access for Bob, field access for Alice): the engine must deny and report. */
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
        read: async ({ req }) => {
          if ((req.user as { name?: string } | null)?.name === 'Alice') throw new Error('boom: field access');
          return true;
        },
      },
    },
  ],
};

/** Every field shape an access `Where` can name, for checking the in-memory proof against the database. */
export const things: CollectionConfig = {
  slug: 'things',
  access: { read: () => true },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'code', type: 'text' },
    { name: 'contact', type: 'email' },
    { name: 'body', type: 'textarea' },
    { name: 'count', type: 'number' },
    { name: 'flag', type: 'checkbox' },
    { name: 'when', type: 'date' },
    { name: 'kind', type: 'select', options: ['a', 'b', 'c'] },
    { name: 'size', type: 'radio', options: ['s', 'm', 'l'] },
    { name: 'labels', type: 'select', hasMany: true, options: ['x', 'y', 'z'] },
    { name: 'words', type: 'text', hasMany: true },
    { name: 'nums', type: 'number', hasMany: true },
    { name: 'owner', type: 'relationship', relationTo: 'users' },
    { name: 'owners', type: 'relationship', relationTo: 'users', hasMany: true },
    { name: 'poly', type: 'relationship', relationTo: ['users', 'things'] },
    { name: 'loc', type: 'text', localized: true },
    { name: 'group', type: 'group', fields: [{ name: 'inner', type: 'text' }] },
    { name: 'rows', type: 'array', fields: [{ name: 'name', type: 'text' }, { name: 'n', type: 'number' }] },
    { type: 'row', fields: [{ name: 'inRow', type: 'text' }] },
    {
      name: 'shout',
      type: 'text',
      virtual: true,
      hooks: { afterRead: [({ siblingData }) => (typeof siblingData?.title === 'string' ? siblingData.title.toUpperCase() : null)] },
    },
  ],
};

/** Collection `afterRead` hook: non-admins lose `internal` (the hook, not field access, decides). */
export const hooked: CollectionConfig = {
  slug: 'hooked',
  access: { read: ({ req }) => Boolean(req.user) },
  hooks: {
    afterRead: [
      ({ doc, req }) => {
        if (roleOf(req.user) !== 'admin') delete (doc as Record<string, unknown>).internal;
        return doc;
      },
    ],
  },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'internal', type: 'text' },
  ],
};

/** Field `afterRead` hook: the value is masked for everyone but admins and its owner. */
export const masked: CollectionConfig = {
  slug: 'masked',
  access: { read: () => true },
  fields: [
    { name: 'owner', type: 'relationship', relationTo: 'users' },
    {
      name: 'card',
      type: 'text',
      hooks: {
        afterRead: [
          ({ value, req, siblingData }) =>
            typeof value === 'string' && roleOf(req.user) !== 'admin' && req.user?.id !== siblingData?.owner ? `****${value.slice(-4)}` : value,
        ],
      },
    },
  ],
};

/** Localized fields (en/de with fallback): a localized group, a named localized tab with field access and a hidden field. */
export const pages: CollectionConfig = {
  slug: 'pages',
  access: { read: () => true },
  fields: [
    { name: 'title', type: 'text', localized: true },
    { name: 'slug', type: 'text' },
    {
      name: 'seo',
      type: 'group',
      localized: true,
      fields: [
        { name: 'metaTitle', type: 'text' },
        { name: 'metaSecret', type: 'text', access: { read: adminsOnlyField } },
      ],
    },
    {
      type: 'tabs',
      tabs: [
        {
          name: 'details',
          localized: true,
          fields: [
            { name: 'summary', type: 'text', access: { read: ({ req }) => Boolean(req.user) } },
            { name: 'draftNote', type: 'text', hidden: true },
            { name: 'body', type: 'textarea' },
          ],
        },
      ],
    },
    { name: 'perLocale', type: 'text', localized: true, access: { read: adminsOnlyField } },
  ],
};

/** Trash enabled: a trashed document is 404 to REST (without `?trash=true`), for everyone. */
export const bins: CollectionConfig = {
  slug: 'bins',
  trash: true,
  access: { read: () => true },
  fields: [{ name: 'title', type: 'text' }],
};

/** Access reading `req.locale`: German readers only see documents released in Germany. */
export const releases: CollectionConfig = {
  slug: 'releases',
  access: { read: ({ req }) => (req.locale === 'de' ? { region: { in: ['de', 'all'] } } : true) },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'region', type: 'select', options: ['de', 'us', 'all'] },
  ],
};

/** Access reading `req.user._strategy`: API-key clients see only what is marked for them. */
export const feeds: CollectionConfig = {
  slug: 'feeds',
  access: {
    read: ({ req }) => {
      if (!req.user) return false;
      if ((req.user as { _strategy?: string })._strategy === 'api-key') return { forApi: { equals: true } };
      return true;
    },
  },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'forApi', type: 'checkbox' },
  ],
};

/** Row-level ACL in an array: both conditions must hold on the same row (as the database correlates them). */
export const shared: CollectionConfig = {
  slug: 'shared',
  access: {
    read: ({ req }) =>
      req.user ? { and: [{ 'acl.user': { equals: req.user.id } }, { 'acl.level': { in: ['read', 'write'] } }] as Where[] } : false,
  },
  fields: [
    { name: 'title', type: 'text' },
    {
      name: 'acl',
      type: 'array',
      fields: [
        { name: 'user', type: 'relationship', relationTo: 'users' },
        { name: 'level', type: 'select', options: ['none', 'read', 'write'] },
      ],
    },
  ],
};

/** A hasMany select queried with `contains`. */
export const labelled: CollectionConfig = {
  slug: 'labelled',
  access: { read: () => ({ labels: { contains: 'public' } }) },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'labels', type: 'select', hasMany: true, options: ['public', 'internal', 'x'] },
  ],
};

/** A text field compared with a number: whether `" 7"` equals 7 is the database's call. */
export const coded: CollectionConfig = {
  slug: 'coded',
  access: { read: () => ({ code: { equals: 7 } }) },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'code', type: 'text' },
  ],
};

/** A join field: its values are the database's (posts whose author is this writer). */
export const writers: CollectionConfig = {
  slug: 'writers',
  access: { read: ({ req }) => Boolean(req.user) },
  fields: [
    { name: 'name', type: 'text' },
    { name: 'posts', type: 'join', collection: 'articles', on: 'writer' },
  ],
};

export const articles: CollectionConfig = {
  slug: 'articles',
  access: { read: () => true },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'writer', type: 'relationship', relationTo: 'writers' },
  ],
};

/**
 * A collection `afterOperation` hook that redacts findByID results for non-admins: REST's findByID runs it
 * (payload/dist/collections/operations/findByID.js, buildAfterOperation), so a view must not carry `internal` either.
 */
export const audited: CollectionConfig = {
  slug: 'audited',
  access: { read: () => true },
  hooks: {
    afterOperation: [
      ({ operation, req, result }) => {
        if (operation !== 'findByID' || !result || roleOf(req.user) === 'admin') return result;
        const { internal: _internal, ...rest } = result as Record<string, unknown>;
        return rest as typeof result;
      },
    ],
  },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'internal', type: 'text' },
  ],
};

/** A `Where` on a localized field: asked of the database in the recipient's locale. */
export const greetings: CollectionConfig = {
  slug: 'greetings',
  access: { read: ({ req }) => (req.user ? true : { text: { equals: 'Hallo' } }) },
  fields: [{ name: 'text', type: 'text', localized: true }],
};

/**
 * A sharing list whose access builds its Where field by field: admins get `{}` (no constraint: REST shows them
 * every document), users their own `acl.user`, and Bob a path the database rejects (REST fails his read).
 */
export const sharelist: CollectionConfig = {
  slug: 'sharelist',
  access: {
    read: ({ req }) => {
      if (!req.user) return false;
      if ((req.user as { name?: string }).name === 'Bob') return { 'acl.nope': { equals: req.user.id } };
      const where: Where = {};
      if (roleOf(req.user) !== 'admin') where['acl.user'] = { equals: req.user.id };
      return where;
    },
  },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'acl', type: 'array', fields: [{ name: 'user', type: 'relationship', relationTo: 'users' }] },
  ],
};
