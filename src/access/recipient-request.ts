import { createLocalReq, getDataLoader, sanitizeLocales, type Payload, type PayloadRequest } from 'payload';
import type { Recipient } from './types.js';

/**
 * The `req` Payload's read pipeline sees for a recipient: what a REST `GET /api/<slug>/<id>?depth=0` made with the
 * socket's credential would carry — its user (with `_strategy`), its `Authorization` header, the locale it asked
 * for (sanitized as REST sanitizes `?locale=`), `payloadAPI: 'REST'`, and a fresh `context`. Never the writer's.
 *
 * `createLocalReq` costs ~50 µs (URL, headers, i18n): it runs once per instance, and each recipient gets a thin
 * object on top of it, so that anything an access function or hook assigns stays its own.
 */
export class RecipientRequests {
  private base?: Promise<PayloadRequest>;

  constructor(private readonly payload: Payload) {}

  async create(recipient: Recipient): Promise<PayloadRequest> {
    this.base ??= createLocalReq({ context: {} }, this.payload);
    const req = Object.create(await this.base) as PayloadRequest;
    req.user = (recipient.user ?? null) as PayloadRequest['user'];
    req.context = {};
    req.headers = recipient.headers ?? new Headers();
    req.payloadAPI = 'REST';
    req.query = { depth: '0', ...(recipient.locale ? { locale: recipient.locale } : {}) };
    req.routeParams = {};
    req.transactionID = undefined;
    const localization = this.payload.config.localization;
    if (localization) {
      const { locale, fallbackLocale } = sanitizeLocales({ fallbackLocale: undefined, locale: recipient.locale ?? null, localization } as never);
      const known = typeof locale === 'string' && (locale === 'all' || localization.localeCodes.includes(locale));
      req.locale = known ? locale : localization.defaultLocale;
      req.fallbackLocale = fallbackLocale as PayloadRequest['fallbackLocale'];
    }
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
}
