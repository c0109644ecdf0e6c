/** Rendering only: the page's state goes in, DOM comes out. */

const MAX_EVENTS = 50;

/** The element with this `data-testid` (the test and the page use the same names). */
export const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export function showConnection(state, detail, socketId) {
  $('connection').dataset.state = state;
  $('connection-status').textContent = state;
  $('transport').textContent = state === 'connected' ? detail : '–';
  $('socket-id').textContent = state === 'connected' ? socketId : (detail ?? '');
}

export function showAccount(user, firstRun) {
  $('whoami').textContent = user ? `Logged in as ${user.email}` : firstRun ? 'Nobody is registered yet.' : 'Not logged in.';
  if (user?.role) $('whoami').append(' ', element('span', { className: 'pill', textContent: user.role }));
  $('first-admin-form').hidden = Boolean(user) || !firstRun;
  $('login-form').hidden = Boolean(user) || firstRun;
  $('logout').hidden = !user;
}

export function showRooms(rooms) {
  const list = $('rooms');
  list.replaceChildren(...rooms.map((room) => element('li', { className: 'chip', textContent: room })));
  if (!rooms.length) list.append(element('li', { className: 'chip muted', textContent: 'no rooms' }));
  for (const button of document.querySelectorAll('[data-room]')) button.disabled = rooms.includes(button.dataset.room);
}

export function showPosts(posts) {
  const select = $('post-select');
  const selected = select.value;
  select.replaceChildren(...posts.map((post) => element('option', { value: post.id, textContent: post.title })));
  if (posts.some((post) => String(post.id) === selected)) select.value = selected;
  select.disabled = !posts.length;
  if (!posts.length) select.append(element('option', { value: '', textContent: 'no posts yet' }));
}

/** `public.posts.create` → `public`; rooms get one colour, the built-in targets their own. */
function targetKind(name) {
  const target = name.split('.')[0];
  return target === 'public' || target === 'self' ? target : 'room';
}

function clock(date) {
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

let received = 0;

/** Newest first, at most MAX_EVENTS kept. */
export function addEvent(name, payload) {
  const item = element(
    'li',
    { className: `event ${targetKind(name)}` },
    element(
      'div',
      { className: 'event-head' },
      element('span', { className: 'event-name', textContent: name }),
      element('time', { textContent: clock(new Date()) }),
    ),
    element('pre', { className: 'event-payload', textContent: JSON.stringify(payload, null, 2) ?? '(no payload)' }),
  );
  item.dataset.testid = 'event';
  item.dataset.event = name;
  item.querySelector('pre').dataset.testid = 'event-payload';
  const list = $('events');
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  received += 1;
  showEventCount();
}

export function clearEvents() {
  $('events').replaceChildren();
  received = 0;
  showEventCount();
}

function showEventCount() {
  const shown = $('events').children.length;
  $('event-count').textContent = shown < received ? `${received} received, newest ${shown} shown` : `${received} received`;
  $('events-empty').hidden = shown > 0;
}

/** A short message under a card's forms; errors stay until the next message. */
export function notify(card, message, kind = 'info') {
  const notice = $(`${card}-notice`);
  notice.textContent = message;
  notice.dataset.kind = kind;
}
