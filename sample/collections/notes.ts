import type { Access, CollectionConfig } from 'payload';
import { isAdmin } from './users.js';

/** Admins see every note, other users their own, anonymous visitors none. */
const ownOrAdmin: Access = ({ req: { user } }) => {
  if (!user) return false;
  return isAdmin(user) ? true : { owner: { equals: user.id } };
};

/** Notes: access-aware delivery on show — `public: true` reaches only the sockets allowed to read each note. */
export const Notes: CollectionConfig = {
  slug: 'notes',
  access: { read: ownOrAdmin, create: ({ req }) => Boolean(req.user), update: ownOrAdmin, delete: ownOrAdmin },
  fields: [
    { name: 'title', type: 'text' },
    { name: 'secret', type: 'text', access: { read: ({ req }) => isAdmin(req.user) } },
    { name: 'owner', type: 'relationship', relationTo: 'users', admin: { readOnly: true } },
  ],
  hooks: {
    // Server-owned: set here, since a denied field write would be dropped silently.
    beforeChange: [({ data, operation, req }) => (operation === 'create' && req.user ? { ...data, owner: req.user.id } : data)],
  },
  custom: { socketAccess: { create: { public: true }, updateByID: { public: true } } },
};
