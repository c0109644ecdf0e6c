import { createLocalReq, type Payload, type PayloadRequest } from 'payload';
import type { Principal } from './types.js';

/**
 * The `req` an access function sees, built the way the Local API builds it (`createLocalReq`: `user`, `payload`,
 * `context: {}`, `headers`, `locale`/`fallbackLocale`, `i18n`/`t`, `payloadDataLoader`, fake URL fields), so
 * access code that works over REST/Local API works here too.
 *
 * A fresh req per principal: the Local API mutates the `req` it is given, and access functions may too.
 * Never reuse the writer's req (see notes: passing a req to findByID overwrites its user).
 */
const i18nCache = new WeakMap<Payload, Promise<PayloadRequest['i18n']>>();

export async function createAccessRequest(payload: Payload, user: Principal): Promise<PayloadRequest> {
  // i18n init is the only non-trivial cost of createLocalReq: do it once per Payload instance.
  let i18n = i18nCache.get(payload);
  if (!i18n) {
    i18n = createLocalReq({ context: {} }, payload).then((req) => req.i18n);
    i18nCache.set(payload, i18n);
  }
  return createLocalReq(
    {
      context: {},
      req: { i18n: await i18n } as Partial<PayloadRequest>,
      user: (user ?? undefined) as NonNullable<PayloadRequest['user']> | undefined,
    },
    payload,
  );
}
