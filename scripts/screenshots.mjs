#!/usr/bin/env node
// Takes README's screenshots from the production build in headless Chromium: the home page, and the lab in pt-BR
// before and after training on sample photos, and after training with the OS in dark mode; the tuning tools after a
// range test (en); the lab on a phone (pt-BR). Run `npm run build` first; writes docs/*.png and *.jpg.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { launchChromium } from './chromium.mjs';

const port = 4191;
const server = spawn(process.execPath, ['scripts/static-server.mjs', '--dir', 'dist', '--base', '/', '--port', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const photos = (cls) => {
  const dir = resolve('.cache', 'assets', 'datasets', 'clothing-small-5', cls);
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, 8).map((f) => join(dir, f));
};
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/?lang=pt-BR#/`);
  await page.locator('h1').waitFor();
  await page.screenshot({ path: 'docs/screenshot.png' });

  await page.goto(`http://127.0.0.1:${port}/?lang=pt-BR#/lab`);
  await page.locator('[data-testid=model-status][data-state=ready]').waitFor({ timeout: 180_000 });
  for (const [i, [name, cls]] of [['tênis', 'shoes'], ['chapéu', 'hat']].entries()) {
    const card = page.getByTestId('class-card').nth(i);
    await card.getByTestId('class-name').fill(name);
    await card.getByTestId('class-upload').setInputFiles(photos(cls));
    await card.locator('[data-testid=sample-count][data-value="8"]').waitFor();
  }
  // The "ready offline" notice floats over the page; a learner closes it, and so does the screenshot.
  const notice = page.getByTestId('pwa-notice');
  if (await notice.isVisible()) await notice.getByRole('button').last().click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/lab-before.pt-BR.jpg', quality: 70 });
  await page.getByTestId('train').click();
  await page.locator('[data-testid=train-status][data-state=done]').waitFor({ timeout: 300_000 });
  await page.getByTestId('predict-upload').setInputFiles(resolve('.cache', 'assets', 'datasets', 'clothing-small-5', 'hat', readdirSync(resolve('.cache', 'assets', 'datasets', 'clothing-small-5', 'hat')).sort()[30]));
  await page.getByTestId('prediction').waitFor();
  if (await notice.isVisible()) await notice.getByRole('button').last().click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/lab-after.pt-BR.jpg', quality: 70 });
  // The same lab with the OS in dark mode.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'docs/lab-dark.pt-BR.jpg', quality: 70 });
  await page.emulateMedia({ colorScheme: 'light' });

  // The tuning tools after a learning-rate range test, in English.
  await page.goto(`http://127.0.0.1:${port}/?lang=en#/lab`);
  await page.locator('[data-testid=model-status][data-state=ready]').waitFor({ timeout: 180_000 });
  const finder = page.getByTestId('lr-finder');
  if (!(await finder.evaluate((d) => d.open))) await finder.locator('summary').click();
  await page.getByTestId('lr-finder-run').click();
  await page.locator('[data-testid=lr-finder]:not([data-suggested=""])').waitFor({ timeout: 120_000 });
  if (await notice.isVisible()) await notice.getByRole('button').last().click();
  await page.getByTestId('augmentation').scrollIntoViewIfNeeded();
  await finder.screenshot({ path: 'docs/screenshots/range-test.en.png' });
  await page.getByTestId('train-mode').evaluate((el) => el.closest('section')?.scrollIntoView());
  await page.getByTestId('train-mode').evaluate(() => window.scrollBy(0, -40));
  await page.screenshot({ path: 'docs/screenshots/training-step.en.png' });
  await context.close();

  // A phone: 390 × 844 with touch, the lab in pt-BR.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, hasTouch: true, isMobile: true });
  const small = await phone.newPage();
  await small.goto(`http://127.0.0.1:${port}/?lang=pt-BR#/lab`);
  await small.locator('[data-testid=model-status][data-state=ready]').waitFor({ timeout: 180_000 });
  const phoneNotice = small.getByTestId('pwa-notice');
  if (await phoneNotice.isVisible()) await phoneNotice.getByRole('button').last().click();
  await small.screenshot({ path: 'docs/screenshots/phone-lab.pt-BR.png' });
  await phone.close();
  console.log('written: docs/screenshot.png, docs/lab-{before,after,dark}.pt-BR.jpg, docs/screenshots/{range-test.en.png,training-step.en.png,phone-lab.pt-BR.png}');
} finally {
  await browser.close();
  server.kill();
}
