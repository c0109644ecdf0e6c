import type { Logger } from '@nestjs/common';
import type { Payload, PayloadRequest } from 'payload';
import type { Namespace } from 'socket.io';
import { ViewEngine, type Recipient } from '../access/index.js';
import type { SocketAuthenticator } from '../auth/socket-authenticator.js';
import { asBookkeeping } from '../plugin/operation-scope.js';
import { storedDocument } from '../plugin/stored-documents.js';
import { documentsIn } from './result-documents.js';

type Doc = Record<string, unknown>;

interface Audience {
  recipient: Recipient;
  socketIds: string[];
}

/**
 * `true` sent to `public` or a room: each socket gets the result as REST (`GET /api/<slug>/<id>?depth=0`) would
 * give it to the socket's credential, computed by the view engine from the document as stored — or nothing.
 * Sockets are grouped by recipient (user, auth strategy, locale), not judged one by one; sockets with equal views
 * share one packet (one encode), addressed to exactly those sockets.
 */
export class AccessAwareDelivery {
  readonly views: ViewEngine;
  /** Connection state recovery keeps broadcast packets for replay (to whoever comes back into the target). */
  private readonly replaysPackets: boolean;

  constructor(
    private readonly nsp: Namespace,
    private readonly payload: Payload,
    private readonly auth: SocketAuthenticator,
    private readonly logger: Logger,
  ) {
    this.replaysPackets = Boolean((nsp.server as unknown as { opts: { connectionStateRecovery?: unknown } }).opts.connectionStateRecovery);
    this.views = new ViewEngine(payload, {
      quietly: asBookkeeping,
      onError: (error, { collection, phase }) =>
        this.logger.error(`Access check (${phase}) on ${collection} failed, recipient denied: ${(error as Error)?.message ?? error}`),
    });
  }

  /**
   * The documents the result holds, as stored — what every instance judges its recipients on. `undefined` when
   * the result holds none (a count, a token): `true` then sends nothing.
   */
  async documents(slug: string, operation: string, result: unknown, req: PayloadRequest): Promise<(Doc | null)[] | undefined> {
    const shape = documentsIn(operation, result);
    if (!shape) {
      this.logger.warn(`${slug}.${operation}: the result holds no documents to check; \`true\` sends nothing (build the value in the rule).`);
      return undefined;
    }
    return this.storedDocuments(slug, shape.docs, shape.deleted, req);
  }

  /** Delivers to this instance's sockets in the target; returns how many received something. */
  async deliverLocal(event: string, room: string | undefined, slug: string, operation: string, result: unknown, bases: (Doc | null)[]): Promise<number> {
    const shape = documentsIn(operation, result);
    const audiences = this.audiences(room);
    if (!shape || !audiences.length) return 0;
    const perRecipient = await this.views.views(slug, bases, audiences.map((a) => a.recipient), { deleted: shape.deleted });
    // Recipients whose views are the same objects for every document share one packet.
    const packets = new Map<string, { data: unknown; socketIds: string[] }>();
    const viewIds = new Map<Doc, number>();
    for (const { recipient, socketIds } of audiences) {
      const views = perRecipient.get(recipient.key) ?? [];
      const data = views.some(Boolean) ? shape.rebuild(views) : undefined;
      if (data === undefined) continue;
      const signature = views.map((v) => (v ? (viewIds.get(v) ?? viewIds.set(v, viewIds.size).get(v)) : '-')).join(',');
      const packet = packets.get(signature) ?? { data, socketIds: [] };
      packet.socketIds.push(...socketIds);
      packets.set(signature, packet);
    }
    let delivered = 0;
    for (const { data, socketIds } of packets.values()) {
      this.toExactly(socketIds, event, data);
      delivered += socketIds.length;
    }
    return delivered;
  }

  /**
   * To these sockets of this instance (every other instance serves its own) and no other, through their own
   * rooms (one encode for all). Never to the target room or the namespace as a whole, even when everybody in
   * it shares the packet: connection state recovery replays such a packet to whoever was in the target and
   * comes back, whatever that one may read. A socket's own room can hold strangers too (a careless handler's
   * `socket.join(anotherSocketsId)`): they are left out.
   */
  private toExactly(socketIds: string[], event: string, data: unknown): void {
    const rooms = this.nsp.adapter.rooms;
    const clean: string[] = [];
    for (const id of socketIds) {
      const own = rooms.get(id);
      if (!own || (own.size === 1 && own.has(id))) {
        clean.push(id);
        continue;
      }
      const strangers = [...own].filter((member) => member !== id);
      // `except` leaves out everyone in the strangers' own rooms: the socket too, if it sits in one of them.
      if (!strangers.some((stranger) => rooms.get(stranger)?.has(id))) this.nsp.local.to(id).except(strangers).emit(event, data);
      else this.logger.warn(`${event}: socket ${id} and others joined each other's own rooms; not sent to it.`);
    }
    if (!clean.length) return;
    // Every socket of the namespace (nothing is kept for replay without recovery): the plain broadcast, without
    // building a set of thousands of rooms.
    if (clean.length === this.nsp.sockets.size && !this.replaysPackets) this.nsp.local.emit(event, data);
    else this.nsp.local.to(clean).emit(event, data);
  }

  /** This instance's sockets in the target, grouped by recipient (anonymous sockets of one locale share one). */
  private audiences(room: string | undefined): Audience[] {
    const ids = room ? (this.nsp.adapter.rooms.get(room) ?? new Set<string>()) : this.nsp.sockets.keys();
    const byRecipient = new Map<string, Audience>();
    for (const id of ids) {
      const socket = this.nsp.sockets.get(id);
      if (!socket) continue;
      const key = this.auth.recipientKeyOf(socket);
      const audience = byRecipient.get(key);
      if (audience) audience.socketIds.push(id);
      else byRecipient.set(key, { recipient: this.auth.recipientOf(socket, key), socketIds: [id] });
    }
    return [...byRecipient.values()];
  }

  /**
   * The documents as stored: captured from the write itself when there was one; read in one query otherwise
   * (reads, logins); a deleted document that was not captured is judged on the result as the writer saw it.
   */
  private async storedDocuments(slug: string, docs: Doc[], deleted: boolean, req: PayloadRequest): Promise<(Doc | null)[]> {
    const stored = docs.map((doc) => storedDocument(req, slug, doc.id));
    if (deleted) return docs.map((doc, i) => stored[i] ?? doc);
    const missing = docs.filter((_, i) => !stored[i]).map((doc) => doc.id);
    if (missing.length) {
      const { docs: found } = await this.payload.db.find({
        collection: slug,
        where: { id: { in: missing } },
        limit: 0,
        pagination: false,
      } as never);
      const byId = new Map((found as Doc[]).map((doc) => [String(doc.id), doc]));
      return docs.map((doc, i) => stored[i] ?? byId.get(String(doc.id)) ?? null);
    }
    return stored as Doc[];
  }
}
