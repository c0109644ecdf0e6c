import type { Access, CollectionConfig, FieldAccess } from 'payload';

export const isAdmin = (user: unknown): boolean => (user as { role?: string } | null)?.role === 'admin';
const adminsOnly: Access = ({ req }) => isAdmin(req.user);
const adminsOnlyField: FieldAccess = ({ req }) => isAdmin(req.user);

/** Users: the first one (first-register) is an admin; only admins create users or change roles. */
export const Users: CollectionConfig = {
  slug: 'users',
  auth: true,
  admin: { useAsTitle: 'email' },
  access: { create: adminsOnly },
  fields: [
    {
      name: 'role',
      type: 'select',
      options: ['admin', 'user'],
      defaultValue: 'user',
      required: true,
      access: { create: adminsOnlyField, update: adminsOnlyField },
    },
  ],
  hooks: {
    beforeChange: [
      async ({ data, operation, req }) => {
        if (operation !== 'create') return data;
        const { totalDocs } = await req.payload.count({ collection: 'users', req });
        return totalDocs === 0 ? { ...data, role: 'admin' } : data;
      },
    ],
  },
  // Every tab of the session that logs in hears about it (the token never travels).
  custom: { socketAccess: { login: { self: true } } },
};
