/** The page's one Socket.IO connection: status, transport, rooms, and every event it receives. */

/**
 * Loads the client the Socket.IO server serves itself. A classic script, not the ESM build: a cross-origin
 * module import needs CORS headers that Socket.IO's client route does not send.
 */
export function loadSocketIoClient(server) {
  if (window.io) return Promise.resolve(window.io);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${server}/socket.io/socket.io.min.js`;
    script.onload = () => resolve(window.io);
    script.onerror = () => reject(new Error(`Could not load the Socket.IO client from ${script.src}`));
    document.head.append(script);
  });
}

export class LiveConnection {
  /** Rooms to be in; joined again after every reconnect (a new socket starts in none). */
  #wanted = new Set();

  /**
   * @param handlers {{ status(state, transport, id), rooms(list), event(name, payload), error(message) }}
   */
  constructor(io, server, handlers) {
    this.handlers = handlers;
    // withCredentials: the handshake carries the session and `payload-token` cookies, also cross-origin.
    this.socket = io(server, { withCredentials: true, autoConnect: false });
    this.socket.on('connect', () => this.#connected());
    this.socket.on('disconnect', (reason) => handlers.status('disconnected', reason));
    this.socket.on('connect_error', (error) => handlers.status('error', error.message));
    // `payload-socket:ready` only gives a new socket a recovery offset: not an event to show.
    this.socket.onAny((name, payload) => name !== 'payload-socket:ready' && handlers.event(name, payload));
  }

  connect() {
    this.handlers.status('connecting');
    this.socket.connect();
  }

  /** A new handshake, so the server sees the cookies as they are now (after a login or logout). */
  reconnect() {
    this.socket.disconnect();
    this.handlers.rooms([]);
    this.connect();
  }

  async join(room) {
    this.#wanted.add(room);
    const answer = await this.socket.timeout(5000).emitWithAck('join', room);
    if (!Array.isArray(answer)) throw new Error(answer?.error ?? `The server refused room "${room}".`);
    this.handlers.rooms(answer);
    return answer;
  }

  #connected() {
    const engine = this.socket.io.engine;
    const show = () => this.handlers.status('connected', engine.transport.name, this.socket.id);
    show();
    engine.once('upgrade', show); // polling → websocket
    this.handlers.rooms([]);
    for (const room of this.#wanted) this.join(room).catch((error) => this.handlers.error(error.message));
  }
}
