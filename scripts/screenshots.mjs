#!/usr/bin/env node
// Takes README's screenshots from the production build in headless Chromium: the home page, and the lab in pt-BR
// before and after training on sample photos, and after training with the OS in dark mode. Run `npm run build` first; writes docs/*.png and *.jpg.
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
  await context.close();
  console.log('written: docs/screenshot.png, docs/lab-before.pt-BR.jpg, docs/lab-after.pt-BR.jpg, docs/lab-dark.pt-BR.jpg');
} finally {
  await browser.close();
  server.kill();
}
