/*
 * The sample's live page: plain ES modules (app.js wires, api.js talks REST, live.js holds the socket, view.js
 * renders), no build step.
 *
 * Same origin (default): the sample serves this folder at `/`, so the page talks to the server it came from.
 *
 * Another origin: open the page with `?server=http://host:port` (e.g. this folder served on another port:
 * `http://localhost:8080/?server=http://localhost:3000`). The page then loads the Socket.IO client from that server
 * and sends every request and the socket handshake there with credentials. For that to work:
 *   - the page's origin must be allowed by the sample: `ALLOWED_ORIGINS=http://localhost:8080 npm start`
 *     (it feeds the module's Socket.IO `cors` and Payload's `cors` and `csrf`);
 *   - the page must be same-site with the server (same host, any port): the cookies are SameSite=Lax, so a
 *     cross-site page would not send them.
 */
import { account, posts, server } from './api.js';
import { LiveConnection, loadSocketIoClient } from './live.js';
import { $, addEvent, clearEvents, notify, showAccount, showConnection, showPosts, showRooms } from './view.js';

let live;
let postList = [];
/** Reloads can overlap (a burst of events, a form): only a newer answer than the one shown may replace it. */
let postsAsked = 0;
let postsShown = 0;
/** What the edit field was last filled with; a reload refreshes it unless the person has typed since. */
let filled = { id: undefined, title: undefined };

async function refreshAccount() {
  const user = await account.me();
  const firstRun = !user && !(await account.initialized());
  showAccount(user, firstRun);
  return user;
}

async function refreshPosts() {
  const ticket = ++postsAsked;
  const list = await posts.list();
  if (ticket < postsShown) return;
  postsShown = ticket;
  postList = list;
  showPosts(postList);
  const untouched = $('post-edit-title').value === (filled.title ?? '');
  if ($('post-select').value !== filled.id || untouched) fillEditTitle();
}

function fillEditTitle() {
  const id = $('post-select').value;
  const title = postList.find((p) => String(p.id) === id)?.title ?? '';
  filled = { id, title };
  $('post-edit-title').value = title;
}

/** Runs a form's action with its button disabled; failures land in the card's notice. */
function onSubmit(form, card, action) {
  $(form).addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = event.target.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const message = await action(new FormData(event.target));
      notify(card, message ?? '');
    } catch (error) {
      notify(card, error.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}

/** After the auth cookie changed: show the new user, and reconnect so the socket authenticates as them. */
async function afterAuthChange() {
  const user = await refreshAccount();
  live.reconnect();
  return user;
}

function wireAccount() {
  onSubmit('first-admin-form', 'account', async (data) => {
    await account.firstRegister(data.get('email'), data.get('password'));
    const user = await afterAuthChange();
    return `Welcome, ${user?.email}: you are the admin.`;
  });
  onSubmit('login-form', 'account', async (data) => {
    await account.login(data.get('email'), data.get('password'));
    $('login-form').reset();
    await afterAuthChange();
  });
  $('logout').addEventListener('click', async () => {
    try {
      await account.logout();
      await afterAuthChange();
      notify('account', 'Logged out.');
    } catch (error) {
      notify('account', error.message, 'error');
    }
  });
}

function wireRooms() {
  for (const button of document.querySelectorAll('[data-room]')) {
    button.addEventListener('click', async () => {
      try {
        await live.join(button.dataset.room);
        notify('rooms', '');
      } catch (error) {
        notify('rooms', error.message, 'error');
      }
    });
  }
}

function wirePosts() {
  onSubmit('post-create-form', 'posts', async (data) => {
    const post = await posts.create(data.get('title'));
    $('post-create-form').reset();
    await refreshPosts();
    return `Created "${post.title}".`;
  });
  onSubmit('post-edit-form', 'posts', async (data) => {
    const post = await posts.update(data.get('id'), data.get('title'));
    filled = { id: undefined, title: undefined }; // saved: show the stored title
    await refreshPosts();
    return `Saved "${post.title}".`;
  });
  $('post-select').addEventListener('change', fillEditTitle);
}

/** Keeps the edit list current when someone else writes a post (one reload per burst of events). */
let reloadTimer;
function onEvent(name, payload) {
  addEvent(name, payload);
  if (!name.includes('.posts.')) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => refreshPosts().catch((error) => notify('posts', error.message, 'error')), 150);
}

async function start() {
  $('server').textContent = server;
  $('clear-events').addEventListener('click', clearEvents);
  wireAccount();
  wireRooms();
  wirePosts();
  showRooms([]);
  const io = await loadSocketIoClient(server);
  live = new LiveConnection(io, server, {
    status: showConnection,
    rooms: showRooms,
    event: onEvent,
    error: (message) => notify('rooms', message, 'error'),
  });
  // HTTP first: its response sets the session cookie, so the socket joins the same session (`self` events).
  await refreshAccount();
  live.connect();
  await refreshPosts();
}

start().catch((error) => {
  showConnection('error', error.message);
  notify('account', error.message, 'error');
});
