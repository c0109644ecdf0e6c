import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serve } from '../lib/ipc.js';
import { stamp } from '../lib/stats.js';
import { controlHandlers } from './server-control.js';

/**
 * The physical limit: a plain Socket.IO server on a bare http server (no Nest, no Payload, no session) that
 * broadcasts what the bench tells it to. It stamps the payload right before replying and emitting (`io.emit`), the
 * moment our module's payload is stamped at commit.
 */
const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  const room = socket.handshake.query.room;
  if (typeof room === 'string') void socket.join(room);
});
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  serve(
    {
      ...controlHandlers(() => io.of('/').sockets.size),
      emit({ event, payload }: { event: string; payload: Record<string, unknown> }): number {
        const committedAt = stamp();
        // The reply goes out first, as our write's HTTP response goes out before the module's emit: the bench
        // process wakes (and asks the clients for receipts) at the same point of the fan-out for both servers.
        setImmediate(() => io.emit(event, { ...payload, committedAt, ruleAt: committedAt }));
        return committedAt;
      },
      async close(): Promise<void> {
        io.disconnectSockets(true);
        await io.close();
        setImmediate(() => process.exit(0));
      },
    },
    { url: `http://127.0.0.1:${port}` },
  );
});
