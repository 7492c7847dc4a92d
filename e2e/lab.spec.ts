import { readFileSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { test, expect, waitForModel, setField, TEST_ASSETS, type Page } from './fixtures';

const photos = (cls: string) => {
  const dir = resolve(TEST_ASSETS, 'datasets', 'clothing-small-5', cls);
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => resolve(dir, f));
};
const card = (page: Page, i: number) => page.getByTestId('class-card').nth(i);

async function setUpClasses(page: Page, names: string[], files: string[][]) {
  for (const [i, name] of names.entries()) {
    const c = card(page, i);
    await c.getByTestId('class-name').fill(name);
    await c.getByTestId('class-name').press('Enter');
    await c.getByTestId('class-upload').setInputFiles(files[i]);
    await expect(c.getByTestId('sample-count')).toHaveAttribute('data-value', String(files[i].length));
  }
}

test('feature extraction on 8 shoes + 8 hats, held-out prediction, reload keeps everything, then fine-tune with the proof', async ({ page }) => {
  const shoes = photos('shoes');
  const hats = photos('hat');
  await page.goto('./?backend=webgpu#/lab');
  expect(await waitForModel(page)).toBe('webgpu');
  await setUpClasses(page, ['shoes', 'hat'], [shoes.slice(0, 8), hats.slice(0, 8)]);

  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '20');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  const acc = Number(await page.getByTestId('val-accuracy').getAttribute('data-value'));
  expect(acc).toBeGreaterThanOrEqual(0.75);

  let right = 0;
  for (const [file, truth] of [[shoes[8], 'shoes'], [shoes[9], 'shoes'], [hats[8], 'hat'], [hats[9], 'hat']]) {
    await page.getByTestId('predict-upload').setInputFiles(file);
    const top = page.locator(`[data-testid=prediction][data-input="${basename(file)}"]`);
    await expect(top).toHaveAttribute('data-label', /^(shoes|hat)$/);
    if ((await top.getAttribute('data-label')) === truth) right++;
  }
  expect(right).toBeGreaterThanOrEqual(3);

  await test.step('reload: classes, photos and the trained head are still there', async () => {
    await expect(page.getByTestId('project-saved')).toHaveAttribute('data-names', 'shoes\nhat');
    await page.reload();
    await expect(card(page, 0).getByTestId('class-name')).toHaveValue('shoes');
    await expect(card(page, 1).getByTestId('class-name')).toHaveValue('hat');
    await expect(card(page, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '8');
    await expect(card(page, 1).getByTestId('sample-count')).toHaveAttribute('data-value', '8');
    await waitForModel(page);
    await page.getByTestId('predict-upload').setInputFiles(hats[9]);
    await expect(page.getByTestId('prediction')).toHaveAttribute('data-label', /^(shoes|hat)$/);
  });

  await test.step('top block trainable, fine-tune 1 epoch: frozen weights bit-identical', async () => {
    const before = Number(await page.getByTestId('trainable-params').getAttribute('data-value'));
    await page.getByRole('button', { name: /Block 13|Bloco 13/ }).click();
    for (const name of ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']) {
      const row = page.locator(`[data-testid=layer-row][data-layer="${name}"]`);
      await row.getByTestId('layer-toggle').check();
      await expect(row).toHaveAttribute('data-trainable', 'true');
    }
    const after = Number(await page.getByTestId('trainable-params').getAttribute('data-value'));
    // conv_dw_13 (3·3·256) + BN γβ (2·256) + conv_pw_13 (256·256) + BN γβ (2·256): moving statistics never train.
    expect(after - before).toBe(9 * 256 + 512 + 256 * 256 + 512);
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '1');
    await setField(page, 'learning-rate', '0.0001');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    const proof = page.getByTestId('frozen-check');
    await expect(proof).toHaveAttribute('data-changed', '0');
    expect(Number(await proof.getAttribute('data-checked'))).toBeGreaterThan(0);
  });
});

test('a batch of bad files gets one message each, and the good ones are added', async ({ page }) => {
  await page.goto('./?backend=cpu#/lab');
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  const bad = [
    { name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some words, not pixels') },
    { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([jpeg, Buffer.alloc(2000, 7)]) },
    { name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>') },
    { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([jpeg, Buffer.alloc(26 * 1024 * 1024)]) },
    { name: 'scan.tif', mimeType: 'image/tiff', buffer: Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00]), Buffer.alloc(100)]) },
  ];
  const good = photos('shoes').slice(0, 2).map((p) => ({ name: basename(p), mimeType: 'image/jpeg', buffer: readFileSync(p) }));
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  const c = card(page, 0);
  await c.getByTestId('class-upload').setInputFiles([...bad, ...good]);
  await expect(c.getByTestId('sample-count')).toHaveAttribute('data-value', '2');
  const errors = c.getByTestId('upload-error');
  await expect(errors).toHaveCount(bad.length);
  for (const f of bad) await expect(c.locator(`[data-testid=upload-error][data-file="${f.name}"]`)).toHaveCount(1);
  await expect(c.locator('[data-file="drawing.svg"]')).toContainText(/SVG/);
  await expect(c.locator('[data-file="huge.jpg"]')).toContainText('25 MB');
  expect(dialogs).toBe(0);
});

test('the fake camera records samples while capture is held', async ({ page }) => {
  await page.goto('./?backend=cpu&lang=en#/lab');
  await page.getByRole('button', { name: 'Turn on the webcam' }).click();
  const capture = card(page, 0).getByTestId('capture');
  await expect(capture).toBeEnabled();
  await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.readyState === 4);
  await capture.hover();
  await page.mouse.down();
  await page.waitForTimeout(2000);
  await page.mouse.up();
  const count = card(page, 0).getByTestId('sample-count');
  const read = async () => Number(await count.getAttribute('data-value'));
  // A frame grabbed just before release may still be saving; once it is stored, nothing more may arrive.
  await expect(capture).toHaveAttribute('aria-pressed', 'false');
  await expect(capture).toHaveAttribute('data-saving', 'false');
  const last = await read();
  // ~10 frames/s while held; a busy machine stores fewer, but a hold is never a single snapshot.
  expect(last).toBeGreaterThanOrEqual(2);
  await page.waitForTimeout(800);
  expect(await read(), 'recording stops on release').toBe(last);
});

test('cancelling training leaves the app usable', async ({ page }) => {
  await page.goto('./?backend=cpu&lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photos('shoes').slice(0, 3), photos('hat').slice(0, 3)]);
  // In the worker, 500 cached head epochs can end before Cancel is reached: augmentation runs the whole network
  // for every batch, so this run outlasts the test.
  await page.getByRole('button', { name: 'Fine-tune top block' }).click();
  await page.getByTestId('train-mode').selectOption('fine-tune');
  await page.getByLabel(/Augmentation/).check();
  await setField(page, 'epochs', '500');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('train-loss')).not.toHaveAttribute('data-value', '');
  await page.getByTestId('cancel-train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('train')).toBeEnabled();
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '2');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done');
});

test('export the trained model as TF.js files and import it back', async ({ page }) => {
  await page.goto('./?backend=cpu&lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photos('shoes').slice(0, 3), photos('hat').slice(0, 3)]);
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done');

  // tf.io's downloads:// saves two files: the topology + manifest, and the weights.
  const files: string[] = [];
  page.on('download', async (d) => {
    const path = resolve(test.info().outputDir, d.suggestedFilename());
    await d.saveAs(path);
    files.push(path);
  });
  await page.getByRole('button', { name: 'Export the trained model' }).click();
  await expect.poll(() => files.length).toBe(2);
  const json = JSON.parse(readFileSync(files.find((f) => f.endsWith('.json'))!, 'utf8'));
  expect(json.userDefinedMetadata.classNames).toEqual(['shoes', 'hat']);

  await page.reload();
  await waitForModel(page);
  await page.getByLabel('Import a model (model.json + weights.bin)').setInputFiles(files);
  await expect(page.getByText('Model imported: it now answers with shoes, hat.')).toBeVisible();
  const held = photos('hat')[9];
  await page.getByTestId('predict-upload').setInputFiles(held);
  await expect(page.locator(`[data-testid=prediction][data-input="${basename(held)}"]`)).toHaveAttribute('data-label', /^(shoes|hat)$/);

  await page.getByLabel('Import a model (model.json + weights.bin)').setInputFiles(files.filter((f) => f.endsWith('.json')));
  await expect(page.getByText('The weights file (weights.bin) is missing')).toBeVisible();
});
