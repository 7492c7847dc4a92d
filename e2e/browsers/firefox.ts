import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Driver, Engine } from './driver';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Firefox ESR through Puppeteer over WebDriver BiDi. A private window is Firefox's own private browsing (the
 * autostart preference); with service workers off there, as Firefox's private windows have had them.
 */
export const firefoxEngine: Engine = {
  name: 'firefox',
  packages: ['firefox-esr'],
  missing: () => (existsSync(FIREFOX) ? [] : [`${FIREFOX} (or FIREFOX_PATH)`]),
  async open({ privateWindow = false } = {}) {
    const profile = mkdtempSync(join(tmpdir(), 'transfer-lab-firefox-'));
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      defaultViewport: { width: 1280, height: 900 },
      userDataDir: profile,
      extraPrefsFirefox: {
        // Firefox's own test camera (a changing colour), granted without the permission prompt.
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
        // A download opens no panel: it would take the window's focus, which a synthetic click never gives back.
        'browser.download.alwaysOpenPanel': false,
        ...(privateWindow ? { 'browser.privatebrowsing.autostart': true, 'dom.serviceWorkers.privateBrowsing.enabled': false } : {}),
      },
    });
    const page = await browser.newPage();
    const element = async (css: string) => {
      const el = await page.waitForSelector(css, { timeout: 30_000 });
      if (!el) throw new Error(`firefox: no ${css}`);
      // Puppeteer over BiDi clicked a number field below the fold without focusing it (the typing went nowhere):
      // centre the target first, as a learner scrolls to what they click.
      await el.evaluate((e) => e.scrollIntoView({ block: 'center' }));
      return el;
    };
    const driver: Driver = {
      engine: 'firefox',
      version: () => browser.version(),
      goto: async (url) => void (await page.goto(url)),
      reload: async () => void (await page.reload()),
      call: <T>(fn: string, ...args: unknown[]) => page.evaluate(`(${fn})(...${JSON.stringify(args)})`) as Promise<T>,
      click: async (css) => (await element(css)).click(),
      fill: async (css, text) => {
        const el = await element(css);
        await el.click();
        await page.keyboard.down('Control');
        await page.keyboard.press('a');
        await page.keyboard.up('Control');
        await page.keyboard.type(text);
        await page.keyboard.press('Tab');
      },
      select: async (css, value) => void (await (await element(css)).select(value)),
      upload: async (css, files) => {
        const el = await page.waitForSelector(css, { timeout: 30_000 });
        await (el as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(...files);
      },
      close: async () => {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
    return driver;
  },
};
