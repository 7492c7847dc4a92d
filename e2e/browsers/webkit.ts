import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Builder, By, Key, until, type WebDriver } from 'selenium-webdriver';
import { Select } from 'selenium-webdriver/lib/select.js';
import type { Driver, Engine } from './driver';

const DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
/** MiniBrowser, WebKitGTK's own test browser, as Debian's libwebkit2gtk-4.1-0 installs it. */
const MINIBROWSER = process.env.MINIBROWSER_PATH ?? ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu'].map((d) => `${d}/webkit2gtk-4.1/MiniBrowser`).find(existsSync) ?? '';
const XVFB = '/usr/bin/Xvfb';

const freePort = () =>
  new Promise<number>((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
    s.on('error', fail);
  });

/** A virtual display for MiniBrowser (it has no headless mode); none when the machine already has one. */
async function display(): Promise<{ name: string; stop: () => void }> {
  if (process.env.DISPLAY) return { name: process.env.DISPLAY, stop: () => {} };
  const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const name = await new Promise<string>((done, fail) => {
    xvfb.stdio[3]!.once('data', (b: Buffer) => done(`:${b.toString().trim()}`));
    xvfb.once('exit', (code) => fail(new Error(`Xvfb exited (${code})`)));
  });
  return { name, stop: () => xvfb.kill() };
}

async function waitForDriver(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 100 && proc.exitCode === null; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not start on port ${port}`);
}

/**
 * WebKitGTK through WebKitWebDriver driving MiniBrowser, with selenium-webdriver (classic WebDriver). Its
 * session is ephemeral, as Safari's Private Browsing: IndexedDB there refuses Blobs. LANG=C makes
 * navigator.language "C", a tag Intl rejects, which the app must survive.
 */
export const webkitEngine: Engine = {
  name: 'webkit',
  packages: ['webkit2gtk-driver', 'xvfb'],
  missing: () =>
    [
      [DRIVER, 'WebKitWebDriver (or WEBKIT_DRIVER_PATH)'],
      [MINIBROWSER, 'MiniBrowser (or MINIBROWSER_PATH)'],
      ...(process.env.DISPLAY ? [] : [[XVFB, 'Xvfb']]),
    ]
      .filter(([path]) => !path || !existsSync(path))
      .map(([, what]) => what),
  async open() {
    const screen = await display();
    const port = await freePort();
    const proc = spawn(DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: screen.name, LANG: 'C', LC_ALL: 'C' } });
    let session: WebDriver;
    try {
      await waitForDriver(port, proc);
      session = await new Builder()
        .usingServer(`http://127.0.0.1:${port}`)
        // WebKit's mock camera (a test pattern), as Chromium's and Firefox's fake devices; automation grants it.
        .withCapabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--enable-media-stream=true', '--enable-mock-capture-devices=true'] },
        })
        .build();
    } catch (err) {
      proc.kill();
      screen.stop();
      throw err;
    }
    await session.manage().setTimeouts({ script: 120_000 });
    await session.manage().window().setRect({ width: 1280, height: 900 });
    const element = (css: string) => session.wait(until.elementLocated(By.css(css)), 30_000);
    const driver: Driver = {
      engine: 'webkit',
      version: async () => String((await session.getCapabilities()).get('browserVersion')),
      goto: (url) => session.get(url),
      reload: () => session.navigate().refresh(),
      call: (fn, ...args) => session.executeScript(`return (${fn})(...arguments)`, ...args),
      click: async (css) => {
        // WebKitWebDriver scrolls a target only to the viewport's edge and its click can then miss: centre it first.
        const el = await element(css);
        await session.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
        await el.click();
      },
      fill: async (css, text) => {
        // As a learner replaces a field: erase what is there, type, leave.
        const el = await element(css);
        const old = String(await session.executeScript('return arguments[0].value', el));
        await el.sendKeys(Key.END, ...Array<string>(old.length).fill(Key.BACK_SPACE), text, Key.TAB);
      },
      select: async (css, value) => new Select(await element(css)).selectByValue(value),
      // A file input takes its files as newline-separated paths (WebDriver's Element Send Keys).
      upload: async (css, files) => (await element(css)).sendKeys(files.join('\n')),
      close: async () => {
        await session.quit().catch(() => {});
        proc.kill();
        screen.stop();
      },
    };
    return driver;
  },
};
