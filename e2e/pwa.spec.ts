import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { test, expect, waitForModel, setField, clothing, cspReportsSince, CSP_CANARY } from './fixtures';
import { SUBPATH, SUBPATH_PORT } from '../playwright.config';

const photos = (cls: string, n: number) => {
  const dir = dirname(clothing(cls, 'x.jpg'));
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => clothing(cls, f));
};

test('offline right after the first visit, without a reload: chapters, chapter 2’s experiment, the lab, the model and training', async ({ page, context }) => {
  await page.goto('./?backend=wasm&lang=en#/');
  await expect(page.getByTestId('pwa-notice')).toHaveAttribute('data-state', 'offline-ready', { timeout: 120_000 });
  // Marks this document: every step below must happen in it, with no reload in between.
  await page.evaluate(() => Object.assign(window, { firstDocument: true }));
  await context.setOffline(true);
  await context.route('**/*', (route) => route.abort('internetdisconnected'));

  // Only the hash changes: the same page, now without a network, fetches each chapter's chunk.
  for (const id of ['backpropagation', 'feature-extraction', 'layer-freezing']) {
    await page.goto(`./?backend=wasm&lang=en#/chapters/${id}`);
    await expect(page.getByTestId('quiz')).toBeVisible();
    await expect(page.getByTestId('app-error')).toHaveCount(0);
  }

  await test.step('chapter 2’s experiment loads its sample photos offline', async () => {
    await page.goto('./?backend=wasm&lang=en#/chapters/feature-extraction');
    const w = page.locator('[data-widget="strategy-compare"]');
    await w.getByTestId('compare-per-class').fill('2');
    await w.getByTestId('compare-epochs').fill('1');
    await w.getByTestId('compare-run').click();
    await expect(w.getByTestId('compare-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    const row = w.locator('[data-testid=compare-row][data-strategy=feature-extraction]');
    expect(Number(await row.getAttribute('data-val-accuracy'))).toBeGreaterThanOrEqual(0);
  });

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
  expect(await page.evaluate(() => 'firstDocument' in window)).toBe(true);

  await test.step('a reload while still offline comes from the service worker, photos included', async () => {
    await page.reload();
    await expect(page.getByTestId('class-card').nth(1).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  });
});

test('a part of the app that cannot be fetched shows a message with Retry, never a blank page', async ({ page, context }) => {
  await context.route(/ChapterPage-[^/]*\.js$/, (route) => route.abort('internetdisconnected'));
  await page.goto('./?backend=cpu&lang=en#/chapters/backpropagation');
  const error = page.getByTestId('app-error');
  await expect(error).toBeVisible();
  await context.unroute(/ChapterPage-[^/]*\.js$/);
  await error.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('quiz')).toBeVisible();
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
  // The suite's check for violations (any CSP report the server gets fails a test) does see them: a request made
  // on purpose to another origin is refused, and its report arrives.
  const from = cspReportsSince(0).length;
  await page.evaluate((host) => void fetch(`http://${host}/csp-canary`).catch(() => {}), CSP_CANARY);
  await expect.poll(() => cspReportsSince(0).slice(from).some((r) => r.includes(CSP_CANARY)), { timeout: 10_000 }).toBe(true);
  // And in the engine's worker, whose policy comes with its script: its violations are reported as well.
  const engine = page.workers().find((w) => /engine\.worker/.test(w.url()))!;
  await engine.evaluate((host) => void fetch(`http://${host}/csp-canary-worker`).catch(() => {}), CSP_CANARY);
  await expect.poll(() => cspReportsSince(0).slice(from).some((r) => r.includes('csp-canary-worker')), { timeout: 10_000 }).toBe(true);
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
