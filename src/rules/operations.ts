/** The operations a rule can name: the seed's ten, plus others Payload reports through `afterOperation`. */
export const SEED_OPERATIONS = [
  'create',
  'find',
  'findByID',
  'update',
  'updateByID',
  'delete',
  'deleteByID',
  'login',
  'refresh',
  'forgotPassword',
] as const;

export const EXTRA_OPERATIONS = ['count', 'resetPassword', 'unlock', 'restoreVersion', 'findVersions', 'findVersionByID'] as const;

export type SocketOperation = (typeof SEED_OPERATIONS)[number] | (typeof EXTRA_OPERATIONS)[number];

const known = new Set<string>([...SEED_OPERATIONS, ...EXTRA_OPERATIONS]);

export function isSocketOperation(name: unknown): name is SocketOperation {
  return typeof name === 'string' && known.has(name);
}
