import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, waitForModel, setField, TEST_ASSETS, type Page } from './fixtures';

/** The engine in a Web Worker: the page holds no tfjs; the lab and the chapter widgets train through it. */

const photos = (cls: string) => {
  const dir = resolve(TEST_ASSETS, 'datasets', 'clothing-small-5', cls);
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => resolve(dir, f));
};
const card = (page: Page, i: number) => page.getByTestId('class-card').nth(i);
const status = (page: Page) => page.getByTestId('train-status');

async function setUpClasses(page: Page, perClass: number) {
  for (const [i, name] of ['shoes', 'hat'].entries()) {
    const c = card(page, i);
    await c.getByTestId('class-name').fill(name);
    await c.getByTestId('class-name').press('Enter');
    await c.getByTestId('class-upload').setInputFiles(photos(name).slice(0, perClass));
    await expect(c.getByTestId('sample-count')).toHaveAttribute('data-value', String(perClass));
  }
}

/** The structural fact: the engine answers from a worker and the page's own thread never created a tfjs engine. */
async function expectEngineInWorker(page: Page) {
  const fact = await page.evaluate(() => ({
    engineIn: (window as unknown as { __transferLab?: { engineIn: string | null } }).__transferLab?.engineIn ?? null,
    tfOnPage: (globalThis as { _tfengine?: unknown })._tfengine !== undefined,
  }));
  expect(fact).toEqual({ engineIn: 'worker', tfOnPage: false });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-engine', 'worker');
}

const engineTensors = (page: Page) =>
  page.evaluate(async () => (await (window as unknown as { __transferLab: { memory(): Promise<{ numTensors: number }> } }).__transferLab.memory()).numTensors);

for (const backend of ['wasm', 'cpu', 'webgpu'] as const) {
  test(`lab on ${backend} in the worker: feature extraction, fine-tune block 13 with the proof, prediction, no leaked tensors`, async ({ page }) => {
    await page.goto(`./?backend=${backend}&lang=en#/lab`);
    expect(await waitForModel(page)).toBe(backend);
    await expectEngineInWorker(page);
    await setUpClasses(page, 4);

    await setField(page, 'epochs', '3');
    await page.getByTestId('train').click();
    await expect(status(page)).toHaveAttribute('data-state', 'done');
    const afterFirst = await engineTensors(page);
    await page.getByTestId('train').click();
    await expect(status(page)).toHaveAttribute('data-state', 'done');
    expect(await engineTensors(page), 'Δ numTensors across training cycles inside the worker').toBe(afterFirst);

    await page.getByTestId('predict-upload').setInputFiles(photos('hat')[9]);
    await expect(page.getByTestId('prediction')).toHaveAttribute('data-label', /^(shoes|hat)$/);

    await page.getByRole('button', { name: 'Block 13' }).click();
    for (const name of ['conv_dw_13', 'conv_pw_13']) {
      const row = page.locator(`[data-testid=layer-row][data-layer="${name}"]`);
      await row.getByTestId('layer-toggle').check();
      await expect(row).toHaveAttribute('data-trainable', 'true');
    }
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '1');
    await setField(page, 'learning-rate', '0.0001');
    await page.getByTestId('train').click();
    await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    const proof = page.getByTestId('frozen-check');
    await expect(proof).toHaveAttribute('data-changed', '0');
    expect(Number(await proof.getAttribute('data-checked'))).toBeGreaterThan(0);
    await page.getByTestId('predict-upload').setInputFiles(photos('shoes')[9]);
    await expect(page.locator('[data-testid=prediction][data-input]').first()).toHaveAttribute('data-label', /^(shoes|hat)$/);
    await expectEngineInWorker(page);
  });
}

test('cancel answers within a batch, and switching routes mid-run neither leaks nor breaks the next run', async ({ page }) => {
  const route = (hash: string) => page.evaluate((h) => (location.hash = h), hash);
  await page.goto('./?backend=wasm&lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, 3);
  // Random augmentation turns the caches off, so every batch runs the whole network: a run long enough to interrupt.
  await page.getByRole('button', { name: 'Fine-tune top block' }).click();
  await page.getByTestId('train-mode').selectOption('fine-tune');
  await page.getByTestId('augmentation').selectOption('random');
  await setField(page, 'epochs', '500');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-loss')).not.toHaveAttribute('data-value', '');
  await page.getByTestId('cancel-train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'cancelled');

  await test.step('leave the lab during a run, come back: still running, cancel works', async () => {
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-loss')).not.toHaveAttribute('data-value', '');
    await route('#/chapters/feature-extraction');
    await expect(page.locator('[data-widget="strategy-compare"] [data-testid=compare-run]')).toBeVisible();
    await route('#/lab');
    await expect(status(page)).toHaveAttribute('data-state', 'running');
    await page.getByTestId('cancel-train').click();
    await expect(status(page)).toHaveAttribute('data-state', 'cancelled');
  });

  await test.step('a widget run cut short by leaving its chapter frees the engine for the lab', async () => {
    await route('#/chapters/feature-extraction');
    const w = page.locator('[data-widget="strategy-compare"]');
    await w.getByTestId('compare-per-class').fill('3');
    await w.getByTestId('compare-epochs').fill('10');
    await w.getByTestId('compare-run').click();
    await expect(w.getByTestId('widget-progress')).toBeVisible();
    await route('#/lab');
    await page.getByTestId('train-mode').selectOption('feature-extraction');
    await setField(page, 'epochs', '2');
    await page.getByTestId('train').click();
    await expect(status(page)).toHaveAttribute('data-state', 'done');
  });

  const after = await engineTensors(page);
  await page.getByTestId('train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  expect(await engineTensors(page), 'no tensor left behind by the cancelled and abandoned runs').toBe(after);
});

test('reloading the instant training says done keeps the trained head (bug 12)', async ({ page }) => {
  await page.goto('./?backend=wasm&lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, 3);
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  await page.reload();
  await waitForModel(page);
  await expect(page.getByText('Your trained model answers with your classes.')).toBeVisible();
  await page.getByTestId('predict-upload').setInputFiles(photos('hat')[9]);
  await expect(page.getByTestId('prediction')).toHaveAttribute('data-label', /^(shoes|hat)$/);
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`chapter 2's comparison fills both rows and chapter 3's two phases reach the proof on ${backend} in the worker`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto(`./?backend=${backend}&lang=en#/chapters/feature-extraction`);
    expect(await waitForModel(page)).toBe(backend);
    await expectEngineInWorker(page);
    const w = page.locator('[data-widget="strategy-compare"]');
    await w.getByTestId('compare-per-class').fill('3');
    await w.getByTestId('compare-epochs').fill('2');
    await w.getByTestId('compare-run').click();
    await expect(w.getByTestId('compare-status')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
    for (const strategy of ['feature-extraction', 'fine-tune']) {
      const row = w.locator(`[data-testid=compare-row][data-strategy=${strategy}]`);
      await expect(row).toHaveAttribute('data-status', 'done');
      expect(Number(await row.getAttribute('data-epoch-ms'))).toBeGreaterThan(0);
      const acc = Number(await row.getAttribute('data-val-accuracy'));
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
    }
    expect(Number(await w.locator('[data-testid=compare-row][data-strategy=feature-extraction]').getAttribute('data-cache-mb'))).toBeGreaterThan(0);

    await page.goto(`./?backend=${backend}&lang=en#/chapters/layer-freezing`);
    await waitForModel(page);
    const f = page.locator('[data-widget="freezing-in-action"]');
    await f.getByTestId('freeze-epochs-a').fill('2');
    await f.getByTestId('freeze-run-a').click();
    await expect(f.getByTestId('freeze-status')).toHaveAttribute('data-state', 'done-a', { timeout: 150_000 });
    await expect(f.getByTestId('freeze-proof-a')).toHaveAttribute('data-changed', '0');
    await f.getByTestId('freeze-epochs-b').fill('1');
    await f.getByTestId('freeze-run-b').click();
    await expect(f.getByTestId('freeze-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    const proof = f.getByTestId('frozen-check');
    await expect(proof).toHaveAttribute('data-changed', '0');
    expect(Number(await proof.getAttribute('data-checked'))).toBeGreaterThan(0);
    await expectEngineInWorker(page);
  });
}

test('the backend picker switches backend from the UI and the trained head comes along', async ({ page }) => {
  await page.goto('./?backend=cpu&lang=en#/lab');
  expect(await waitForModel(page)).toBe('cpu');
  const picker = page.getByTestId('backend-picker');
  await expect(picker).toHaveValue('cpu');
  await expect(picker.locator('option')).toHaveText([/Automatic/, /^webgpu/, /^webgl/, /^wasm/, /^cpu/]);
  await setUpClasses(page, 3);
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'done');

  await picker.selectOption('wasm');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  expect(new URL(page.url()).searchParams.get('backend')).toBe('wasm');
  await expectEngineInWorker(page);
  await expect(page.getByText('Your trained model answers with your classes.')).toBeVisible();
  await page.getByTestId('predict-upload').setInputFiles(photos('shoes')[9]);
  await expect(page.getByTestId('prediction')).toHaveAttribute('data-label', /^(shoes|hat)$/);
});

test('live webcam prediction runs through the worker and shows the engine\'s frame rate', async ({ page }) => {
  await page.goto('./?backend=wasm&lang=en#/lab');
  await waitForModel(page);
  await page.getByRole('button', { name: 'Turn on the webcam' }).click();
  await page.getByRole('button', { name: 'Start live prediction' }).click();
  await expect(page.locator('[data-testid=prediction][data-input=webcam]')).toBeVisible();
  await expect(page.getByText(/frames\/s/)).toBeVisible();
  await expect.poll(async () => Number((await page.getByText(/frames\/s/).textContent())?.match(/[\d.]+/)?.[0] ?? 0)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Stop live prediction' }).click();
});

test('where the engine cannot run in a worker, the same engine runs on the page and says so', async ({ page }) => {
  // ?engine=page takes the fallback path a browser without module workers takes.
  await page.goto('./?backend=cpu&engine=page&lang=en#/lab');
  expect(await waitForModel(page)).toBe('cpu');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-engine', 'page');
  expect(await page.evaluate(() => (window as unknown as { __transferLab: { engineIn: string } }).__transferLab.engineIn)).toBe('page');
  await expect(page.getByText(/The engine runs on the page's thread/)).toBeVisible();
  await setUpClasses(page, 2);
  await setField(page, 'epochs', '2');
  await page.getByTestId('train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'done');
});
