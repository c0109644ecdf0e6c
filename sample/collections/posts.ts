import type { CollectionConfig } from 'payload';

const loggedIn = ({ req }: { req: { user?: unknown } }) => Boolean(req.user);

/** Posts: anyone reads, logged-in users write. The seed README's updateByID rule, in its own format. */
export const Posts: CollectionConfig = {
  slug: 'posts',
  access: { read: () => true, create: loggedIn, update: loggedIn, delete: loggedIn },
  fields: [{ name: 'title', type: 'text', required: true }],
  custom: { socketAccess: { updateByID: { public: true, self: true, lorem: 'ipsum' } } },
};
