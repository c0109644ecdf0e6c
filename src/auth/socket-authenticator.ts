import type { Logger } from '@nestjs/common';
import { executeAuthStrategies, type Payload } from 'payload';
import type { Namespace, Socket } from 'socket.io';
import type { Principal } from '../access/index.js';
import type { SocketAuthOptions } from '../options.js';
import { joinModuleRoom } from '../gateway/connection-handler.js';
import { asBookkeeping } from '../plugin/operation-scope.js';
import { isReservedRoom, type RoomNames } from '../session/rooms.js';
import { apiKeyDigest } from './api-key-index.js';
import { cookieRefusal, credentialHeaders, tokenClaims } from './socket-credentials.js';
import { setSocketUser, socketUserOf, userKey, type SocketUser } from './socket-user.js';
import { UserDirectory } from './user-directory.js';

type User = NonNullable<Principal>;

/**
 * Sockets as Payload users. Authentication runs in Socket.IO middleware (Nest guards do not run on connect),
 * through Payload's own auth strategies; the user is re-read every `recheckSeconds`, so a logout, an expired
 * token or a role change takes effect within that bound (the socket is downgraded to anonymous, or
 * disconnected when auth is required, and told so by an `auth:expired` event).
 */
export class SocketAuthenticator {
  readonly users = new UserDirectory();
  private readonly pending = new WeakMap<Socket, User>();
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

  /** The principal access checks use for a socket: its user, or `null` for anonymous. */
  principalOf(socket: Socket): Principal {
    const identity = socketUserOf(socket);
    return identity ? (this.users.get(userKey(identity)) ?? null) : null;
  }

  start(nsp: Namespace): void {
    const seconds = this.options.recheckSeconds ?? 30;
    this.timer = setInterval(() => void this.recheck(nsp).catch((e) => this.logger.error(`User re-check failed: ${e?.message ?? e}`)), seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Re-reads each connected user once, then downgrades the sockets whose identity no longer holds. */
  async recheck(nsp: Namespace): Promise<void> {
    const fresh = new Map<string, User | null>();
    // Users with API-key sockets: their current key index too (one read per user, not per socket).
    const keys = new Map<string, Promise<string | undefined>>();
    for (const socket of nsp.sockets.values()) {
      const identity = socketUserOf(socket);
      if (identity?.apiKey && !keys.has(userKey(identity))) keys.set(userKey(identity), apiKeyDigest(this.payload, identity.collection, identity.id));
    }
    const currentKeys = new Map(await Promise.all([...keys].map(async ([key, digest]) => [key, await digest] as const)));
    await Promise.all(
      this.users.keys().map(async (key) => {
        const [collection, ...rest] = key.split(':');
        const id = rest.join(':');
        const user = await asBookkeeping(() =>
          this.payload.findByID({ collection: collection as never, id, depth: 0, overrideAccess: true, disableErrors: true }),
        );
        fresh.set(key, user ? ({ ...user, collection } as User) : null);
        if (user) this.users.update(key, fresh.get(key)!);
      }),
    );
    const now = Date.now() / 1000;
    for (const socket of nsp.sockets.values()) {
      const identity = socketUserOf(socket);
      if (!identity) continue;
      const reason = this.invalidity(identity, fresh.get(userKey(identity)), now) ??
        (identity.apiKey && currentKeys.get(userKey(identity)) !== identity.apiKey ? 'API key revoked' : undefined);
      if (reason) this.downgrade(socket, identity, reason);
    }
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

/** A `disconnect` listener (EventEmitter calls it with the socket as `this`) releasing the socket's user. */
function releaseUserOf(users: UserDirectory) {
  return function release(this: Socket): void {
    const identity = socketUserOf(this); // gone when the socket was downgraded (released then)
    if (identity) users.release(userKey(identity));
  };
}
