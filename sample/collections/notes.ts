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
    {
      name: 'owner',
      type: 'relationship',
      relationTo: 'users',
      admin: { readOnly: true },
      // No client sets or changes it, admins included: Payload drops a denied field write silently (in the
      // field beforeValidate pass), and on update keeps the stored value.
      access: { create: () => false, update: () => false },
    },
  ],
  hooks: {
    // The creator owns the note. Collection beforeChange runs after field access was applied, so this value
    // is kept while a client's is dropped.
    beforeChange: [({ data, operation, req }) => (operation === 'create' && req.user ? { ...data, owner: req.user.id } : data)],
  },
  custom: { socketAccess: { create: { public: true }, updateByID: { public: true } } },
};
