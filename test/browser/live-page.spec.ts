import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium, type Chromium } from './support/chromium.js';
import { LivePage } from './support/live-page.js';
import { startSample, type RunningSample } from './support/sample-server.js';
import { serveFolder, type StaticServer } from './support/static-server.js';

/**
 * The sample's live page in headless Chromium, two people at once: A uses the page the sample serves, B the same
 * files served from another origin (`?server=`). Screenshots land in test-output/browser/; with
 * `UPDATE_SCREENSHOT=1` B's page is also copied to docs/screenshot.png (the README's picture).
 */
const publicFolder = fileURLToPath(new URL('../../sample/public/', import.meta.url)).replace(/\/$/, '');
const outputFolder = fileURLToPath(new URL('../../test-output/browser/', import.meta.url));
const readmeScreenshot = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));

const alice = { email: 'alice@example.com', password: 'alice-password-1' };
const bob = { email: 'bob@example.com', password: 'bob-password-1' };

const titles = (payloads: unknown[]) => payloads.map((p) => (p as { title?: string }).title);

describe('the live page, two people in Chromium', () => {
  let sample: RunningSample;
  let otherOrigin: StaticServer;
  let chromium: Chromium;
  let A: LivePage;
  let B: LivePage;

  beforeAll(async () => {
    otherOrigin = await serveFolder(publicFolder);
    sample = await startSample([otherOrigin.url]);
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await sample?.close();
    await otherOrigin?.close();
  });

  it('A registers the first admin on the page, logs out and in; B logs in from another origin', async () => {
    A = await LivePage.open(await chromium.newPerson(), sample.url);
    expect(await A.byId('first-admin-form').isVisible()).toBe(true);
    expect(await A.byId('login-form').isVisible()).toBe(false);
    await A.firstRegister(alice.email, alice.password);
    expect(await A.whoami()).toBe(`Logged in as ${alice.email} admin`);
    await A.logout();
    expect(await A.whoami()).toBe('Not logged in.');
    await A.login(alice.email, alice.password);
    expect(await A.whoami()).toBe(`Logged in as ${alice.email} admin`);

    await sample.payload.create({ collection: 'users', data: { ...bob, role: 'user' } });
    B = await LivePage.open(await chromium.newPerson(), `${otherOrigin.url}/?server=${sample.url}`);
    expect(await B.byId('server').textContent()).toBe(sample.url);
    await B.login(bob.email, bob.password);
    expect(await B.whoami()).toBe(`Logged in as ${bob.email} user`);

    await A.connected('websocket');
    await B.connected('websocket');
  });

  it('A creates a post: B shows public.posts.create with hello: world within 2 s, A shows self.posts.create', async () => {
    const shownToB = B.waitForEvent('public.posts.create', 'First post', 2000);
    await A.createPost('First post');
    expect((await shownToB).payload).toMatchObject({ title: 'First post', hello: 'world' });

    const self = await A.waitForEvent('self.posts.create', 'First post');
    expect(self.payload).toMatchObject({ title: 'First post' });
    expect(self.payload).not.toHaveProperty('hello'); // `self: true` is the plain result
    await A.waitForEvent('public.posts.create', 'First post');
    // B's page reloads its post list after the event: its edit form now shows the only post.
    await B.editFormShows('First post');
  });

  it('B joins lorem and hears ipsum for later writes; A, not in lorem, hears none; edits reach both', async () => {
    await B.join('lorem');
    expect(await B.rooms()).toEqual(['lorem']);

    await A.createPost('Second post');
    await B.waitForEvent('lorem.posts.create', 'ipsum');
    await A.editPost('First post', 'First post, edited');
    await B.waitForEvent('public.posts.updateByID', 'First post, edited');
    await A.waitForEvent('self.posts.updateByID', 'First post, edited');

    // Everything queued so far has left the server; a later post then arrives after it on every socket.
    await sample.realtime.idle();
    await A.createPost('Marker post');
    await A.waitForEvent('public.posts.create', 'Marker post');
    await B.waitForEvent('public.posts.create', 'Marker post');

    const namesA = (await A.events()).map((e) => e.name);
    expect(namesA.filter((name) => name.startsWith('lorem.'))).toEqual([]);
    expect(await A.rooms()).toEqual([]);
    expect(titles(await A.named('self.posts.create'))).toEqual(['Marker post', 'Second post', 'First post']);

    // Newest first: not for the post written before B joined lorem.
    expect(await B.named('lorem.posts.create')).toEqual(['ipsum', 'ipsum']);
    expect(await B.named('lorem.posts.updateByID')).toEqual(['ipsum']);
    expect(titles(await B.named('public.posts.create'))).toEqual(['Marker post', 'Second post', 'First post']);
    expect((await B.events()).filter((e) => e.name.startsWith('self.posts.'))).toEqual([]);

    // B's edit form followed A's edit of the post it shows.
    await B.editFormShows('First post, edited');
  });

  it('saves screenshots of both pages, which raised no errors', async () => {
    mkdirSync(outputFolder, { recursive: true });
    for (const [name, page] of [['A', A], ['B', B]] as const) {
      const path = `${outputFolder}${name}.png`;
      await page.screenshot(path);
      console.log(`Screenshot of ${name}'s page: ${path}`);
    }
    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync(fileURLToPath(new URL('.', `file://${readmeScreenshot}`)), { recursive: true });
      copyFileSync(`${outputFolder}B.png`, readmeScreenshot);
      console.log(`README screenshot updated: ${readmeScreenshot}`);
    }
    expect(A.problems).toEqual([]);
    expect(B.problems).toEqual([]);
  });
});
