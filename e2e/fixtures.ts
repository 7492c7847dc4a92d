import { test as base, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { CSP_LOG } from '../playwright.config';
import { CSP_CANARY, cspLogEnd, cspReports } from './csp-log';
import { resolve } from 'node:path';

/** The test-photo cache that `npm install` fills (scripts/assets/setup.mjs); tests read nothing else. */
export const TEST_ASSETS = resolve(import.meta.dirname, '..', '.cache', 'assets');
export const clothing = (cls: string, file: string) => resolve(TEST_ASSETS, 'datasets', 'clothing-small-5', cls, file);
export const CAT_PNG = resolve(TEST_ASSETS, 'images', 'cat-purr.png');

/** Every cached photo of a clothing class, in a fixed order (sorted by file name). */
export function photosOf(cls: string): string[] {
  const index = JSON.parse(readFileSync(resolve(TEST_ASSETS, 'datasets', 'clothing-small-5', 'index.json'), 'utf8')) as { classes: Record<string, string[]> };
  return (index.classes[cls] ?? []).map((f) => resolve(TEST_ASSETS, 'datasets', 'clothing-small-5', f));
}

export { CSP_CANARY };
/** The CSP reports both servers received since byte `from` of their log (playwright.config.ts CSP_LOG). */
export const cspReportsSince = (from: number): string[] => cspReports(CSP_LOG, from);

/**
 * Every test gets a page that records each request: the suite fails on any request to another origin
 * (photos and lessons must never leave the device) and on any request that carries a body. It also fails on any
 * CSP report the servers receive meanwhile (they send the app's policy as report-only too): unlike the console,
 * that sees the workers' violations as well.
 */
export const test = base.extend<{ offOrigin: string[] }>({
  offOrigin: [
    async ({ page, baseURL }, use) => {
      const problems: string[] = [];
      const own = new URL(baseURL!).hostname;
      const reportsFrom = cspLogEnd(CSP_LOG);
      page.on('request', (req) => {
        const url = new URL(req.url());
        if (url.protocol === 'data:' || url.protocol === 'blob:') return;
        // A CSP report to the server is read from its log below.
        if (url.pathname.endsWith('/__csp-report')) return;
        if (url.hostname !== own && url.hostname !== CSP_CANARY) problems.push(`third-party request: ${req.url()}`);
        if (req.postDataBuffer()?.length) problems.push(`request with a body: ${req.method()} ${req.url()}`);
      });
      // The app must run under its own Content-Security-Policy without a single violation.
      page.on('console', (msg) => {
        if (/Content Security Policy|Refused to (load|execute|apply|connect|compile)/i.test(msg.text()) && !msg.text().includes(CSP_CANARY)) problems.push(`CSP: ${msg.text()}`);
      });
      await use(problems);
      // Reports go out as the violation happens; a moment lets one from the test's last step arrive.
      await new Promise((r) => setTimeout(r, 150));
      for (const report of cspReportsSince(reportsFrom)) if (!report.includes(CSP_CANARY)) problems.push(`CSP report: ${report}`);
      expect(problems, 'no third-party request, no request body, no CSP violation').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
export type { Page };

/** Waits until the model is loaded; returns the active backend name. */
export async function waitForModel(page: Page): Promise<string> {
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  return (await page.getByTestId('backend').getAttribute('data-backend')) ?? '';
}

/** Types a value into a number field and leaves it, which is when the app takes it (on change). */
export async function setField(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Tab');
}

/** The lab's i-th class card. */
export const classCard = (page: Page, i: number) => page.getByTestId('class-card').nth(i);

/** Names the lab's classes and uploads each one's photos, as a learner does; waits until every photo is counted. */
export async function setUpClasses(page: Page, names: string[], files: string[][]): Promise<void> {
  for (const [i, name] of names.entries()) {
    const card = classCard(page, i);
    await card.getByTestId('class-name').fill(name);
    await card.getByTestId('class-name').press('Enter');
    await card.getByTestId('class-upload').setInputFiles(files[i]);
    await expect(card.getByTestId('sample-count')).toHaveAttribute('data-value', String(files[i].length));
  }
}
