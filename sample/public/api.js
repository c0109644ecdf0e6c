/** Payload's REST API, called with the browser's cookies (the session cookie and Payload's `payload-token`). */

/** The server this page talks to: its own origin, or the one named by `?server=http://host:port`. */
export const server = serverFromQuery(new URLSearchParams(location.search).get('server'));

function serverFromQuery(value) {
  if (!value) return location.origin;
  const url = new URL(value); // throws on garbage: better than silently talking to the wrong server
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`?server must be an http(s) URL, got ${value}`);
  return url.origin;
}

async function request(method, path, body) {
  const response = await fetch(`${server}/api${path}`, {
    method,
    credentials: 'include', // also cross-origin: the origin must be in the sample's allowed origins
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.errors?.[0];
    const detail = error?.data?.errors?.map((e) => `${e.path}: ${e.message}`).join(', ');
    throw new Error(detail || error?.message || `${method} /api${path} failed with HTTP ${response.status}`);
  }
  return data;
}

export const account = {
  /** The logged-in user, or null. */
  me: async () => (await request('GET', '/users/me')).user ?? null,
  /** False while the users collection is empty (first-register is open). */
  initialized: async () => (await request('GET', '/users/init')).initialized,
  firstRegister: (email, password) => request('POST', '/users/first-register', { email, password }),
  login: (email, password) => request('POST', '/users/login', { email, password }),
  logout: () => request('POST', '/users/logout'),
};

export const posts = {
  list: async () => (await request('GET', '/posts?depth=0&limit=50&sort=-createdAt')).docs,
  create: async (title) => (await request('POST', '/posts', { title })).doc,
  update: async (id, title) => (await request('PATCH', `/posts/${encodeURIComponent(id)}`, { title })).doc,
};
