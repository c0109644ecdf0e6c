import type { Logger } from '@nestjs/common';
import { executeAuthStrategies, type Payload } from 'payload';
import type { Namespace, Socket } from 'socket.io';
import type { Recipient, RecipientUser } from '../access/index.js';
import type { SocketAuthOptions } from '../options.js';
import { joinModuleRoom } from '../gateway/connection-handler.js';
import { asBookkeeping } from '../plugin/operation-scope.js';
import { isReservedRoom, type RoomNames } from '../session/rooms.js';
import { apiKeyDigest } from './api-key-index.js';
import { cookieRefusal, credentialHeaders, tokenClaims } from './socket-credentials.js';
import { setSocketUser, socketUserOf, userKey, type SocketUser } from './socket-user.js';
import { UserDirectory } from './user-directory.js';

type User = RecipientUser;

/** What a socket's handshake said beyond its identity: how it authenticated and which locale it asked for. */
interface Credential {
  strategy?: string;
  authorization?: string;
  locale?: string;
}

/**
 * Sockets as Payload users. Authentication runs in Socket.IO middleware (Nest guards do not run on connect),
 * through Payload's own auth strategies; the user is re-read every `recheckSeconds`, so a logout, an expired
 * token or a role change takes effect within that bound (the socket is downgraded to anonymous, or
 * disconnected when auth is required, and told so by an `auth:expired` event).
 */
export class SocketAuthenticator {
  readonly users = new UserDirectory();
  private readonly pending = new WeakMap<Socket, User>();
  private readonly credentials = new WeakMap<Socket, Credential>();
  private nsp?: Namespace;
  private readonly cookieOrigins: ReadonlySet<string>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly payload: Payload,
    private readonly rooms: RoomNames,
    private readonly options: SocketAuthOptions,
    corsOrigins: string[],
    private readonly logger: Logger,
  ) {
    this.cookieOrigins = new Set([...(payload.config.csrf ?? []), ...corsOrigins, ...(options.cookieOrigins ?? [])]);
  }

  /** Socket.IO middleware: resolves the handshake's credential, refuses when required and missing. */
  readonly middleware = async (socket: Socket, next: (error?: Error) => void): Promise<void> => {
    try {
      forgetRestoredIdentity(socket);
      const locale = requestedLocale(socket);
      this.credentials.delete(socket);
      if (locale) this.credentials.set(socket, { locale });
      const headers = credentialHeaders(socket, this.payload, this.cookieOrigins);
      const { user } = headers
        ? await asBookkeeping(() => executeAuthStrategies({ headers, payload: this.payload, canSetHeaders: false }))
        : { user: null };
      if (!user) {
        if (!this.options.required) return next();
        const why = headers ? '' : cookieRefusal(socket, this.payload, this.cookieOrigins);
        return next(new Error(`Authentication required: send a valid token, API key or payload-token cookie.${why ? ` ${why}` : ''}`));
      }
      const claims = tokenClaims(headers!);
      const sid = (user as { _sid?: string })._sid ?? claims.sid;
      const apiKey = (user as { _strategy?: string })._strategy === 'api-key' ? await apiKeyDigest(this.payload, user.collection, user.id) : undefined;
      setSocketUser(socket, {
        collection: user.collection,
        id: user.id,
        ...(sid ? { sid } : {}),
        ...(claims.exp ? { exp: claims.exp } : {}),
        ...(apiKey ? { apiKey } : {}),
      });
      this.credentials.set(socket, {
        locale,
        strategy: (user as { _strategy?: string })._strategy,
        authorization: headers!.get('Authorization') ?? undefined,
      });
      // A copy: Payload deleted the secrets from its object, which leaves it a (0.8 KB larger) dictionary object.
      this.pending.set(socket, { ...user } as User);
      next();
    } catch (error) {
      this.logger.error(`Socket authentication failed: ${(error as Error)?.message ?? error}`);
      next(new Error('Authentication failed.'));
    }
  };

  /** On connection: the user's room (the module's own) and its entry in the directory. */
  connect(socket: Socket): void {
    const identity = socketUserOf(socket);
    const user = this.pending.get(socket);
    if (!identity || !user) return;
    this.pending.delete(socket);
    this.users.hold(userKey(identity), user);
    joinModuleRoom(socket, this.rooms.user(identity.collection, identity.id));
    socket.on('disconnect', this.releaseOnDisconnect);
  }

  /** One listener shared by every socket (a closure per socket would cost memory on each of them). */
  private readonly releaseOnDisconnect = releaseUserOf(this.users);

  /**
   * Sockets with equal keys would get equal answers from REST: the same user, authenticated the same way
   * (`req.user._strategy`), asking for the same locale.
   */
  recipientKeyOf(socket: Socket): string {
    const identity = socketUserOf(socket);
    const credential = this.credentials.get(socket);
    const who = identity ? `${userKey(identity)}|${credential?.strategy ?? ''}` : 'anonymous';
    return credential?.locale ? `${who}|${credential.locale}` : who;
  }

  /** The request REST would see for this socket's credential (see access/recipient-request.ts). */
  recipientOf(socket: Socket, key = this.recipientKeyOf(socket)): Recipient {
    const identity = socketUserOf(socket);
    const credential = this.credentials.get(socket);
    const stored = identity ? this.users.get(userKey(identity)) : undefined;
    // A copy per recipient: what an access function assigns to `req.user` stays with that one judgement.
    const user = stored && identity ? { ...stored, collection: identity.collection, _strategy: credential?.strategy, ...(identity.sid ? { _sid: identity.sid } : {}) } : null;
    return {
      key,
      user,
      locale: credential?.locale,
      headers: user && credential?.authorization ? new Headers({ Authorization: credential.authorization }) : undefined,
    };
  }

  start(nsp: Namespace): void {
    this.nsp = nsp;
    const seconds = this.options.recheckSeconds ?? 30;
    this.timer = setInterval(() => void this.recheck(nsp).catch((e) => this.logger.error(`User re-check failed: ${e?.message ?? e}`)), seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Re-reads each connected user once, then downgrades the sockets whose identity no longer holds. */
  async recheck(nsp: Namespace): Promise<void> {
    await this.revalidate(this.users.keys(), nsp.sockets.values());
  }

  /**
   * A write through this module's Payload changed a user (an update, a deletion, a logout): its sockets follow at
   * once, before the next emit is judged (the caller queues this in emit order). Changes made elsewhere wait for
   * the periodic re-check.
   */
  async refresh(collection: string, id: string | number): Promise<void> {
    const key = userKey({ collection, id });
    if (!this.nsp || !this.users.get(key)) return; // no socket of that user here
    const room = this.nsp.adapter.rooms.get(this.rooms.user(collection, id)) ?? new Set<string>();
    const sockets = [...room].map((socketId) => this.nsp!.sockets.get(socketId)).filter((s): s is Socket => Boolean(s));
    await this.revalidate([key], sockets);
  }

  private async revalidate(keys: string[], sockets: Iterable<Socket>): Promise<void> {
    const targets = [...sockets];
    const fresh = new Map<string, User | null>();
    // Users with API-key sockets: their current key index too (one read per user, not per socket).
    const keyDigests = new Map<string, Promise<string | undefined>>();
    for (const socket of targets) {
      const identity = socketUserOf(socket);
      if (identity?.apiKey && !keyDigests.has(userKey(identity))) keyDigests.set(userKey(identity), apiKeyDigest(this.payload, identity.collection, identity.id));
    }
    const currentKeys = new Map(await Promise.all([...keyDigests].map(async ([key, digest]) => [key, await digest] as const)));
    await Promise.all(
      keys.map(async (key) => {
        const [collection, ...rest] = key.split(':');
        const user = await this.readUser(collection, rest.join(':'));
        fresh.set(key, user);
        if (user) this.users.update(key, user);
      }),
    );
    const now = Date.now() / 1000;
    for (const socket of targets) {
      const identity = socketUserOf(socket);
      if (!identity || !fresh.has(userKey(identity))) continue;
      const reason = this.invalidity(identity, fresh.get(userKey(identity)), now) ??
        (identity.apiKey && currentKeys.get(userKey(identity)) !== identity.apiKey ? 'API key revoked' : undefined);
      if (reason) this.downgrade(socket, identity, reason);
    }
  }

  /** The user as Payload's JWT strategy reads it: at the collection's `auth.depth`, access overridden. */
  private async readUser(collection: string, id: string): Promise<User | null> {
    const auth = this.payload.collections[collection as never]?.config.auth;
    if (!auth) return null;
    const user = await asBookkeeping(() =>
      this.payload.findByID({ collection: collection as never, id, depth: auth.depth, overrideAccess: true, disableErrors: true }),
    );
    if (!user || (auth.verify && !(user as { _verified?: boolean })._verified)) return null;
    return { ...user, collection } as User;
  }

  private invalidity(identity: SocketUser, user: User | null | undefined, now: number): string | undefined {
    if (user === null) return 'user no longer exists';
    if (identity.exp !== undefined && identity.exp <= now) return 'token expired';
    const useSessions = this.payload.collections[identity.collection as never]?.config.auth?.useSessions !== false;
    const sessions = (user as { sessions?: { id: string }[] } | undefined)?.sessions;
    if (useSessions && identity.sid && sessions && !sessions.some((s) => s.id === identity.sid)) return 'logged out';
    return undefined;
  }

  private downgrade(socket: Socket, identity: SocketUser, reason: string): void {
    void socket.leave(this.rooms.user(identity.collection, identity.id));
    setSocketUser(socket, undefined);
    const credential = this.credentials.get(socket);
    this.credentials.set(socket, { locale: credential?.locale }); // anonymous from now on
    this.users.release(userKey(identity));
    socket.emit('auth:expired', { reason });
    if (this.options.required) socket.disconnect(true);
  }
}

/**
 * Connection state recovery hands a reconnecting socket the data and rooms it had before the drop. Who it is
 * (and so the module's session and user rooms) must follow the credential of this handshake, not that snapshot:
 * a token logged out meanwhile would otherwise keep its user room and identity.
 */
function forgetRestoredIdentity(socket: Socket): void {
  if (!socket.recovered) return;
  setSocketUser(socket, undefined);
  for (const room of [...socket.rooms]) if (isReservedRoom(room)) void socket.leave(room);
}

/** The locale a socket asks for at the handshake (`auth: { locale }` or `?locale=`); judged like REST's `?locale=`. */
function requestedLocale(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { locale?: unknown } | undefined)?.locale;
  const fromQuery = socket.handshake.query?.locale;
  const locale = typeof fromAuth === 'string' ? fromAuth : typeof fromQuery === 'string' ? fromQuery : undefined;
  return locale && locale.length <= 64 ? locale : undefined;
}

/** A `disconnect` listener (EventEmitter calls it with the socket as `this`) releasing the socket's user. */
function releaseUserOf(users: UserDirectory) {
  return function release(this: Socket): void {
    const identity = socketUserOf(this); // gone when the socket was downgraded (released then)
    if (identity) users.release(userKey(identity));
  };
}
