import { getFieldsToSign, jwtSign, type CollectionConfig, type Payload } from 'payload';

/**
 * Users for authenticated sockets. `useSessions: false`: the bench mints JWTs itself instead of logging 5,000
 * users in through the password hash (minutes); the module verifies them through Payload's JWT strategy as usual.
 */
export const benchUsers: CollectionConfig = {
  slug: 'users',
  auth: { useSessions: false, tokenExpiration: 24 * 3600 },
  fields: [],
};

export async function seedUsers(payload: Payload, count: number): Promise<{ ids: (string | number)[]; tokens: string[] }> {
  const collection = payload.collections.users.config;
  const ids: (string | number)[] = [];
  const tokens: string[] = [];
  const existing = await payload.db.count({ collection: 'users', where: {} } as never);
  for (let i = 0; i < count; i++) {
    const n = (existing as { totalDocs: number }).totalDocs + i;
    // The adapter's create: no password hashing, no hooks (a password is not needed for a minted token).
    const user = (await payload.db.create({ collection: 'users', data: { email: `user${n}@bench.local` } } as never)) as Record<string, unknown>;
    const { token } = await jwtSign({
      fieldsToSign: getFieldsToSign({ collectionConfig: collection, email: user.email as string, user: { ...user, collection: 'users' } as never }),
      secret: payload.secret,
      tokenExpiration: 24 * 3600,
    });
    ids.push(user.id as string | number);
    tokens.push(token);
  }
  return { ids, tokens };
}
