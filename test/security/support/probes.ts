import { createHmac } from 'node:crypto';
import type { SocketUser } from '../../../src/auth/socket-user.js';
import type { TestApp } from '../../support/app.js';
import { connectSocket, waitUntil, type RecordedEvent, type RecordingSocket } from '../../support/clients.js';

/** What the server holds as a client socket's Payload identity (undefined = anonymous). */
export function identityOf(t: TestApp, client: RecordingSocket): SocketUser | undefined {
  const socket = t.realtime.namespace!.sockets.get(client.socket.id!);
  if (!socket) throw new Error(`socket ${client.socket.id} is not connected on the server`);
  return (socket.data as { payloadUser?: SocketUser }).payloadUser;
}

/** Remembers where each socket's record stands, to read what arrived after it. */
export function checkpoint(sockets: RecordingSocket[]): (socket: RecordingSocket) => RecordedEvent[] {
  const marks = new Map(sockets.map((s) => [s, s.events.length]));
  return (socket) => socket.events.slice(marks.get(socket) ?? 0).filter((e) => !e.event.startsWith('__'));
}

/** The `connect_error` message of a handshake the server must refuse (fails if it connects). */
export async function refusal(url: string, options: Parameters<typeof connectSocket>[1]): Promise<string> {
  try {
    const socket = await connectSocket(url, options);
    socket.close();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the server accepted a handshake it should have refused');
}

/** Resolves with the reason once the client socket is disconnected. */
export async function disconnection(client: RecordingSocket, timeoutMs = 5000): Promise<void> {
  await waitUntil(() => !client.socket.connected, timeoutMs, `socket ${client.socket.id} to be disconnected`);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with Payload's header, HS256-signed with `secret` (any secret: forging is the point). */
export function signJwt(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}): string {
  const head = b64({ alg: 'HS256', authVersion: 1, typ: 'JWT', ...header });
  const body = b64(claims);
  const signature = createHmac('sha256', Buffer.from(new TextEncoder().encode(secret))).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** The claims of a JWT (unverified), to forge look-alikes. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** The same token with its claims edited and its original signature kept. */
export function tamper(token: string, edit: Record<string, unknown>): string {
  const [head, , signature] = token.split('.');
  return `${head}.${b64({ ...claimsOf(token), ...edit })}.${signature}`;
}

/** An unsigned token (`alg: none`). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none', authVersion: 1, typ: 'JWT' })}.${b64(claims)}.`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
