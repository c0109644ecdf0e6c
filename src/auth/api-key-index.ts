import { createHash } from 'node:crypto';
import type { Payload } from 'payload';

/**
 * A socket authenticated by an API key stays valid only while that key does. Payload keeps no session for API
 * keys: disabling or rotating a key changes the user's `apiKeyIndex` (an HMAC of the key). The socket keeps a
 * digest of the index it was accepted with (never the key, never the index itself) and the re-check compares it
 * with the stored one. The index is omitted from every hooked read, so it is read from the adapter.
 */
export async function apiKeyDigest(payload: Payload, collection: string, id: string | number): Promise<string | undefined> {
  const row = (await payload.db.findOne({ collection, where: { id: { equals: id } } } as never)) as { apiKeyIndex?: unknown } | null;
  const index = row?.apiKeyIndex;
  return typeof index === 'string' && index ? createHash('sha256').update(index).digest('base64url').slice(0, 22) : undefined;
}
