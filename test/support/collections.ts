import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectionConfig } from 'payload';

/** Small collections the suites share: an auth collection, an open one, an upload one. */
export const testUsers: CollectionConfig = {
  slug: 'users',
  auth: { maxLoginAttempts: 0 },
  fields: [{ name: 'name', type: 'text' }],
};

export const testPosts: CollectionConfig = {
  slug: 'posts',
  access: { read: () => true, create: () => true, update: () => true, delete: () => true },
  fields: [{ name: 'title', type: 'text', required: true }],
};

export const testMedia = (): CollectionConfig => ({
  slug: 'media',
  access: { read: () => true, create: () => true },
  upload: { staticDir: mkdtempSync(join(tmpdir(), 'nps-media-')) },
  fields: [{ name: 'alt', type: 'text' }],
});
