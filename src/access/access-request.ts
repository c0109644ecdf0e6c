import { createLocalReq, getDataLoader, type Payload, type PayloadRequest } from 'payload';
import type { Principal } from './types.js';

/**
 * The `req` an access function sees, built the way the Local API builds it (`createLocalReq`: `user`, `payload`,
 * `context: {}`, `headers`, `locale`/`fallbackLocale`, `i18n`/`t`, `payloadDataLoader`, fake URL fields), so
 * access code that works over REST/Local API works here too.
 *
 * A fresh req per principal: the Local API mutates the `req` it is given, and access functions may too.
 * Never reuse the writer's req (see notes: passing a req to findByID overwrites its user).
 */
const bases = new WeakMap<Payload, Promise<PayloadRequest>>();

export async function createAccessRequest(payload: Payload, user: Principal): Promise<PayloadRequest> {
  // createLocalReq costs ~50 µs (URL, headers, i18n, dataloader): with thousands of users per event that was the
  // whole cost of a delivery. So it runs once per instance, and each principal gets a thin object on top of it:
  // its own `user`, `context` and (lazily) dataloader; anything an access function assigns stays its own.
  let base = bases.get(payload);
  if (!base) {
    base = createLocalReq({ context: {} }, payload);
    bases.set(payload, base);
  }
  const req = Object.create(await base) as PayloadRequest;
  req.user = (user ?? null) as PayloadRequest['user'];
  req.context = {};
  let loader: PayloadRequest['payloadDataLoader'] | undefined;
  Object.defineProperty(req, 'payloadDataLoader', {
    configurable: true,
    enumerable: true,
    get: () => (loader ??= getDataLoader(req)),
    set: (value: PayloadRequest['payloadDataLoader']) => {
      loader = value;
    },
  });
  return req;
}
