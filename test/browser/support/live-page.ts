import type { BrowserContext, Locator, Page } from 'playwright-core';

export interface ShownEvent {
  name: string;
  payload: unknown;
}

/** One person's tab on the sample's live page, driven only through what a person sees and clicks. */
export class LivePage {
  /** Uncaught page errors and console errors: the page must produce none. */
  readonly problems: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console: ${message.text()}`);
    });
  }

  static async open(context: BrowserContext, url: string): Promise<LivePage> {
    const live = new LivePage(await context.newPage());
    live.page.setDefaultTimeout(10_000); // fail well inside jest's timeout, with Playwright's call log
    await live.page.goto(url);
    await live.connected();
    return live;
  }

  byId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** Waits until the socket is connected (after load or a reconnect). */
  async connected(transport?: 'polling' | 'websocket'): Promise<void> {
    await this.page.locator('[data-testid="connection"][data-state="connected"]').waitFor();
    if (transport) await this.page.locator(`[data-testid="transport"]:text-is("${transport}")`).waitFor();
  }

  async whoami(): Promise<string> {
    return (await this.byId('whoami').textContent()) ?? '';
  }

  async socketId(): Promise<string> {
    return (await this.byId('socket-id').textContent()) ?? '';
  }

  /** Runs a login/logout step and waits for the new socket the page opens afterwards (it authenticates anew). */
  private async reconnectsAfter(step: () => Promise<void>): Promise<void> {
    const before = await this.socketId();
    await step();
    await this.page.waitForFunction((previous) => {
      const state = document.querySelector<HTMLElement>('[data-testid="connection"]')?.dataset.state;
      return state === 'connected' && document.querySelector('[data-testid="socket-id"]')?.textContent !== previous;
    }, before);
  }

  async firstRegister(email: string, password: string): Promise<void> {
    await this.reconnectsAfter(async () => {
      await this.byId('first-admin-email').fill(email);
      await this.byId('first-admin-password').fill(password);
      await this.byId('first-admin-submit').click();
      await this.byId('whoami').filter({ hasText: `Logged in as ${email}` }).waitFor();
    });
  }

  async login(email: string, password: string): Promise<void> {
    await this.reconnectsAfter(async () => {
      await this.byId('login-email').fill(email);
      await this.byId('login-password').fill(password);
      await this.byId('login-submit').click();
      await this.byId('whoami').filter({ hasText: `Logged in as ${email}` }).waitFor();
    });
  }

  async logout(): Promise<void> {
    await this.reconnectsAfter(async () => {
      await this.byId('logout').click();
      await this.byId('login-form').waitFor();
    });
  }

  async createPost(title: string): Promise<void> {
    await this.byId('post-title').fill(title);
    await this.byId('post-create-submit').click();
    await this.byId('posts-notice').filter({ hasText: `Created "${title}".` }).waitFor();
  }

  async editPost(oldTitle: string, newTitle: string): Promise<void> {
    await this.byId('post-select').selectOption({ label: oldTitle });
    await this.byId('post-edit-title').fill(newTitle);
    await this.byId('post-edit-submit').click();
    await this.byId('posts-notice').filter({ hasText: `Saved "${newTitle}".` }).waitFor();
  }

  /** Waits until the edit form shows this post and title (the list follows other people's writes). */
  async editFormShows(title: string): Promise<void> {
    await this.page.waitForFunction((expected) => {
      const select = document.querySelector<HTMLSelectElement>('[data-testid="post-select"]');
      const field = document.querySelector<HTMLInputElement>('[data-testid="post-edit-title"]');
      return select?.selectedOptions[0]?.textContent === expected && field?.value === expected;
    }, title);
  }

  /** Clicks a room button; resolves once the ack's room list is shown. */
  async join(room: string): Promise<void> {
    await this.byId(`join-${room}`).click();
    await this.byId('rooms').getByText(room, { exact: true }).waitFor();
  }

  async rooms(): Promise<string[]> {
    return this.byId('rooms').locator('li:not(.muted)').allTextContents();
  }

  /** Waits until an event with this name whose payload shows `text` is on the page. */
  async waitForEvent(name: string, text: string, timeout?: number): Promise<ShownEvent> {
    const item = this.page.locator(`[data-testid="event"][data-event="${name}"]`).filter({ hasText: text }).first();
    await item.waitFor({ timeout });
    return { name, payload: JSON.parse((await item.getByTestId('event-payload').textContent()) ?? 'null') };
  }

  /** Every event on the page, newest first. */
  async events(): Promise<ShownEvent[]> {
    return this.page.$$eval('[data-testid="event"]', (items) =>
      items.map((item) => ({
        name: (item as HTMLElement).dataset.event ?? '',
        payload: JSON.parse(item.querySelector('[data-testid="event-payload"]')?.textContent ?? 'null'),
      })),
    );
  }

  async named(name: string): Promise<unknown[]> {
    return (await this.events()).filter((e) => e.name === name).map((e) => e.payload);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
  }
}
