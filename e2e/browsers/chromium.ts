import { findChromium, launchChromium } from '../../scripts/chromium.mjs';
import type { Driver, Engine } from './driver';

/** Chromium through Playwright, with the same binary and flags as the rest of the suite. */
export const chromiumEngine: Engine = {
  name: 'chromium',
  packages: ['chromium'],
  missing: () => (findChromium() ? [] : ['a Chromium or Chrome (or CHROMIUM_PATH)']),
  async open() {
    const browser = await launchChromium();
    const context = await browser.newContext();
    const page = await context.newPage();
    const driver: Driver = {
      engine: 'chromium',
      version: async () => browser.version(),
      goto: async (url) => void (await page.goto(url)),
      reload: async () => void (await page.reload()),
      call: <T>(fn: string, ...args: unknown[]) => page.evaluate(`(${fn})(...${JSON.stringify(args)})`) as Promise<T>,
      click: (css) => page.locator(css).click(),
      fill: async (css, text) => {
        await page.locator(css).fill(text);
        await page.locator(css).press('Tab');
      },
      select: async (css, value) => void (await page.locator(css).selectOption(value)),
      upload: (css, files) => page.locator(css).setInputFiles(files),
      close: () => browser.close(),
    };
    return driver;
  },
};
