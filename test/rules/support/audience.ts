import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { OnConnect } from '../../../src/index.js';
import type { TestApp } from '../../support/app.js';
import { HttpClient, connectSocket, type RecordingSocket } from '../../support/clients.js';

/** The test's own connect handler: a socket joins the rooms it names in `handshake.auth.rooms`. */
@Injectable()
export class RoomJoiner {
  @OnConnect()
  join(socket: Socket): void {
    const rooms = (socket.handshake.auth as { rooms?: unknown }).rooms;
    if (Array.isArray(rooms)) void socket.join(rooms.filter((room): room is string => typeof room === 'string'));
  }
}

/** The room the audience's members are in. */
export const MEMBERS = 'members';

export type Label = 'tab1' | 'tab2' | 'tab3' | 'other' | 'anon' | 'member';
export const ALL_LABELS: Label[] = ['tab1', 'tab2', 'tab3', 'other', 'anon', 'member'];
export const TABS: Label[] = ['tab1', 'tab2', 'tab3'];
/** tab3 (a tab of the requester) and `member` (an anonymous socket) are in room `members`. */
export const ROOM_MEMBERS: Label[] = ['tab3', 'member'];

/**
 * The sockets every rule test watches: three tabs of the requester's browser session, a socket of another
 * session, an anonymous socket, and an anonymous room member.
 */
export interface Audience {
  requester: HttpClient;
  otherBrowser: HttpClient;
  sockets: Record<Label, RecordingSocket>;
  /** How many times each socket received `event` (sockets that got none are left out). */
  tally(event: string): Partial<Record<Label, number>>;
  /** Every event each socket received since the last reset, sorted; markers left out. */
  received(): Partial<Record<Label, string[]>>;
  /** What `label` received as `event`. */
  data(label: Label, event: string): unknown[];
  settle(): Promise<void>;
  reset(): void;
  close(): void;
}

/** Opens a browser session (a cookie from a plain HTTP response) for a new client. */
export async function browser(t: TestApp): Promise<HttpClient> {
  const client = new HttpClient(t.url);
  await client.get('/__no-such-page'); // any response through the session middleware sets the cookie
  if (!client.cookies.has('connect.sid')) throw new Error('no session cookie was set');
  return client;
}

export async function audience(t: TestApp, requester?: HttpClient): Promise<Audience> {
  const req = requester ?? (await browser(t));
  const otherBrowser = await browser(t);
  const tab = (rooms: string[] = []) => connectSocket(t.url, { cookie: req.cookieHeader, auth: { rooms } });
  const sockets: Record<Label, RecordingSocket> = {
    tab1: await tab(),
    tab2: await tab(),
    tab3: await tab([MEMBERS]),
    other: await connectSocket(t.url, { cookie: otherBrowser.cookieHeader }),
    anon: await connectSocket(t.url),
    member: await connectSocket(t.url, { auth: { rooms: [MEMBERS] } }),
  };
  const entries = () => Object.entries(sockets) as [Label, RecordingSocket][];
  return {
    requester: req,
    otherBrowser,
    sockets,
    tally(event) {
      const counts: Partial<Record<Label, number>> = {};
      for (const [label, socket] of entries()) {
        const count = socket.named(event).length;
        if (count) counts[label] = count;
      }
      return counts;
    },
    received() {
      const all: Partial<Record<Label, string[]>> = {};
      for (const [label, socket] of entries()) {
        const names = socket.names();
        if (names.length) all[label] = names.sort();
      }
      return all;
    },
    data: (label, event) => sockets[label].named(event),
    settle: () => t.settle(Object.values(sockets)),
    reset() {
      for (const socket of Object.values(sockets)) socket.events.splice(0);
    },
    close() {
      for (const socket of Object.values(sockets)) socket.close();
    },
  };
}

/** `{ label: 1 }` for each label: what "exactly once to exactly these sockets" looks like. */
export const once = (labels: Label[]): Partial<Record<Label, number>> => Object.fromEntries(labels.map((label) => [label, 1]));

/** The events each label should have received, built from `{ event: labels }`. */
export function expectedReceipts(byEvent: Record<string, Label[]>): Partial<Record<Label, string[]>> {
  const out: Partial<Record<Label, string[]>> = {};
  for (const [event, labels] of Object.entries(byEvent)) for (const label of labels) (out[label] ??= []).push(event);
  for (const list of Object.values(out)) list!.sort();
  return out;
}
