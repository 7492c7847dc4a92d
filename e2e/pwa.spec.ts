import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, waitForModel, setField, TEST_ASSETS } from './fixtures';
import { SUBPATH, SUBPATH_PORT } from '../playwright.config';

const photos = (cls: string, n: number) => {
  const dir = resolve(TEST_ASSETS, 'datasets', 'clothing-small-5', cls);
  return readdirSync(dir).sort().slice(0, n).map((f) => resolve(dir, f));
};

test('offline after one visit: every page renders, the model loads and feature extraction trains', async ({ page, context }) => {
  await page.goto('./?backend=wasm&lang=en#/');
  await expect(page.getByTestId('pwa-notice')).toHaveAttribute('data-state', 'offline-ready', { timeout: 120_000 });
  await context.setOffline(true);
  await context.route('**/*', (route) => route.abort('internetdisconnected'));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  for (const id of ['backpropagation', 'feature-extraction', 'layer-freezing']) {
    await page.goto(`./?backend=wasm&lang=en#/chapters/${id}`);
    await expect(page.getByTestId('quiz')).toBeVisible();
  }
  await page.goto('./?backend=wasm&lang=en#/lab');
  expect(await waitForModel(page)).toBe('wasm');
  const cards = page.getByTestId('class-card');
  for (const [i, cls] of ['shoes', 'hat'].entries()) {
    await cards.nth(i).getByTestId('class-upload').setInputFiles(photos(cls, 3));
    await expect(cards.nth(i).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  }
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done');
});

test('under a sub-path the PWA is installable: valid manifest, service worker scoped to the sub-path', async ({ page }) => {
  const root = `http://127.0.0.1:${SUBPATH_PORT}${SUBPATH}`;
  await page.goto(`${root}?backend=cpu#/`);
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  const manifestUrl = new URL(href!, root).href;
  const manifest = await (await page.request.get(manifestUrl)).json();
  expect(manifest.name).toBe('Transfer Lab');
  expect(manifest.display).toBe('standalone');
  expect(new URL(manifest.start_url, manifestUrl).href).toBe(root);
  expect(new URL(manifest.scope, manifestUrl).href).toBe(root);
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i: { sizes: string }) => i.sizes === size);
    expect(icon, `icon ${size}`).toBeTruthy();
    expect((await page.request.get(new URL(icon.src, manifestUrl).href)).headers()['content-type']).toBe('image/png');
  }
  expect(manifest.icons.some((i: { purpose?: string }) => i.purpose === 'maskable')).toBe(true);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toBe(root);
});

test('the built page carries the strict CSP and the app runs under it on webgpu', async ({ page }) => {
  await page.goto('./?backend=webgpu#/lab');
  const csp = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(await waitForModel(page)).toBe('webgpu');
});

test('an XSS payload as a class name stays inert text', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  await page.goto('./?backend=cpu#/lab');
  const payload = '<img src=x onerror=alert(1)>';
  const name = page.getByTestId('class-name').first();
  await name.fill(payload);
  await name.press('Enter');
  await expect(page.getByTestId('class-card').first()).toHaveAttribute('data-class', payload);
  await expect(page.getByTestId('project-saved')).toHaveAttribute('data-names', new RegExp(`^${payload.replace(/[()]/g, '\\$&')}\n`));
  await page.reload();
  await expect(page.getByTestId('class-name').first()).toHaveValue(payload);
  expect(await page.locator('img[src=x]').count()).toBe(0);
  expect(dialogs).toBe(0);
});
