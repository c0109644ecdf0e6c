import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { serve } from '../lib/ipc.js';

/**
 * A hostile client: anonymous Engine.IO handshakes at a steady rate from one local address (`127.0.0.2`, the
 * server does not exempt it as it does its own 127.0.0.1), polling and websocket by turns, counted by status.
 */
interface StartArgs {
  url: string;
  perSecond: number;
  localAddress: string;
}

let timer: NodeJS.Timeout | undefined;
let statuses: Record<string, number> = {};
let inFlight = 0;

const count = (status: string) => (statuses[status] = (statuses[status] ?? 0) + 1);

function handshake(url: string, localAddress: string, websocket: boolean): void {
  inFlight++;
  const done = (status: string) => {
    inFlight--;
    count(status);
  };
  const req = request(`${url}/socket.io/?EIO=4&transport=${websocket ? 'websocket' : 'polling'}`, {
    localAddress,
    agent: false,
    headers: websocket
      ? { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') }
      : {},
  });
  req.on('upgrade', (response, socket) => {
    socket.destroy();
    done(String(response.statusCode));
  });
  req.on('response', (response) => {
    response.resume();
    response.on('end', () => done(String(response.statusCode)));
  });
  req.on('error', () => done('error'));
  req.end();
}

serve(
  {
    start({ url, perSecond, localAddress }: StartArgs) {
      statuses = {};
      let sent = 0;
      const started = Date.now();
      timer = setInterval(() => {
        const due = Math.floor(((Date.now() - started) / 1000) * perSecond);
        for (; sent < due; sent++) if (inFlight < 500) handshake(url, localAddress, sent % 2 === 1);
      }, 10);
    },
    stop() {
      clearInterval(timer);
      return statuses;
    },
  },
  {},
);
