import { test, expect, waitForModel, TEST_ASSETS } from './fixtures';
import { resolve } from 'node:path';
import { SUBPATH, SUBPATH_PORT } from '../playwright.config';

const CAT = resolve(TEST_ASSETS, 'images', 'cat-purr.png');

for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
  test(`?backend=${backend} is honoured and shown in the badge`, async ({ page }) => {
    await page.goto(`./?backend=${backend}#/`);
    expect(await waitForModel(page)).toBe(backend);
    await expect(page.getByTestId('backend')).toContainText(backend);
  });
}

test('the full ImageNet head classifies the cat photo as a cat (WebGPU)', async ({ page }) => {
  await page.goto('./?backend=webgpu#/lab');
  expect(await waitForModel(page)).toBe('webgpu');
  await page.getByTestId('predict-upload').setInputFiles(CAT);
  const top = page.getByTestId('prediction');
  await expect(top).toBeVisible({ timeout: 120_000 });
  // ImageNet classes 281–287 are the cats: tabby, tiger cat, Persian, Siamese, Egyptian, cougar, lynx.
  const label = (await top.getAttribute('data-label'))!;
  const names: string[] = await (await page.request.get('./assets/imagenet_classes.json')).json();
  const index = names.indexOf(label);
  expect(index, `top-1 was "${label}"`).toBeGreaterThanOrEqual(281);
  expect(index).toBeLessThanOrEqual(287);
  expect(Number(await top.getAttribute('data-confidence'))).toBeGreaterThan(0.2);
});

test('served under a sub-path, the app loads and finds its model there', async ({ page }) => {
  const modelRequests: string[] = [];
  page.on('request', (r) => r.url().includes('/assets/models/') && modelRequests.push(new URL(r.url()).pathname));
  await page.goto(`http://127.0.0.1:${SUBPATH_PORT}${SUBPATH}?backend=cpu#/lab`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await waitForModel(page)).toBe('cpu');
  expect(modelRequests.length).toBeGreaterThan(1);
  expect(modelRequests.every((p) => p.startsWith(`${SUBPATH}assets/models/`))).toBe(true);
});

test('language: ?lang= sets it, the switch changes it and it is remembered', async ({ page }) => {
  await page.goto('./?lang=en#/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Open the lab' })).toBeVisible();
  await page.getByTestId('lang').selectOption('pt-BR');
  await expect(page.getByRole('link', { name: 'Abrir o laboratório' })).toBeVisible();
  await page.goto('./#/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
});
