/**
 * What the cross-browser journey needs from a browser, whichever client drives it (Playwright for Chromium,
 * Puppeteer over WebDriver BiDi for Firefox, selenium-webdriver over classic WebDriver for WebKit). Elements are
 * found by CSS; clicks, typing, choices and file uploads go through the client's real input, never page script.
 */
export interface Driver {
  /** 'chromium' | 'firefox' | 'webkit', and the browser's own version string. */
  readonly engine: string;
  version(): Promise<string>;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Calls a function, given as JavaScript source, in the page with JSON arguments; resolves with its (awaited) result. */
  call<T>(fn: string, ...args: unknown[]): Promise<T>;
  click(css: string): Promise<void>;
  /** Replaces a field's text and leaves it with Tab (the app takes number fields on change). */
  fill(css: string, text: string): Promise<void>;
  select(css: string, value: string): Promise<void>;
  upload(css: string, files: string[]): Promise<void>;
  close(): Promise<void>;
}

/** An engine the runner can start: what it needs installed, how to install it, and how to open a driver. */
export interface Engine {
  name: 'chromium' | 'firefox' | 'webkit';
  /** What is missing on this machine (empty when it can run). */
  missing(): string[];
  /** The Debian packages that provide it. */
  packages: string[];
  open(options?: { privateWindow?: boolean }): Promise<Driver>;
}
