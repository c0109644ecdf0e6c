import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs the `chromium` package); nothing is ever downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface Chromium {
  /** A fresh context: its own cookie jar and storage, i.e. one more person. */
  newPerson(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * One headless Chromium. Playwright gives every `launch` a fresh temporary profile (`--user-data-dir`) and
 * removes it on close; it refuses a `--user-data-dir` argument here.
 */
export async function launchChromium(): Promise<Chromium> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    args: ARGS,
  });
  return {
    newPerson: () => browser.newContext({ viewport: { width: 1280, height: 900 } }),
    close: () => browser.close(),
  };
}
