import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { test, expect, waitForModel, setField, photosOf, type Page } from './fixtures';

const WIDE = 'mobilenet_v1_0.75';
const card = (page: Page, i: number) => page.getByTestId('class-card').nth(i);
const row = (page: Page, layer: string) => page.locator(`[data-testid=layer-row][data-layer="${layer}"]`);

/** Parameters per layer, straight from the installed model.json (weight names are "<layer>/<weight>"). */
function paramsByLayer(folder: string): Map<string, number> {
  const json = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'public', 'assets', 'models', folder, 'model.json'), 'utf8')) as {
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  const byLayer = new Map<string, number>();
  for (const w of json.weightsManifest.flatMap((g) => g.weights)) {
    const layer = w.name.split('/')[0];
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + w.shape.reduce((a, b) => a * b, 1));
  }
  return byLayer;
}

async function predictOne(page: Page, file: string): Promise<string> {
  await page.getByTestId('predict-upload').setInputFiles(file);
  const top = page.locator(`[data-testid=prediction][data-input="${basename(file)}"]`);
  await expect(top).toHaveAttribute('data-label', /.+/);
  return (await top.getAttribute('data-label'))!;
}

test('MobileNet v1 0.75 on request: 768-wide layers, train and predict, reload keeps base and head, fine-tuning keeps frozen weights', async ({ page }) => {
  test.setTimeout(420_000);
  const shoes = photosOf('shoes');
  const hats = photosOf('hat');
  const params = paramsByLayer('mobilenet_v1_0.75_224');
  // The base up to the embedding: everything but the ImageNet classifier (conv_preds), which the new head replaces.
  const baseParams = [...params].filter(([layer]) => layer !== 'conv_preds').reduce((n, [, p]) => n + p, 0);
  const headParams = (width: number, classes: number) => width * 100 + 100 + 100 * classes + classes;

  await page.goto('./?backend=wasm#/lab');
  await waitForModel(page);
  await expect(page.getByTestId('base-model')).toHaveValue('mobilenet_v1_0.25');
  for (const [i, [name, files]] of ([['shoes', shoes.slice(0, 5)], ['hat', hats.slice(0, 5)]] as const).entries()) {
    await card(page, i).getByTestId('class-name').fill(name);
    await card(page, i).getByTestId('class-name').press('Enter');
    await card(page, i).getByTestId('class-upload').setInputFiles([...files]);
    await expect(card(page, i).getByTestId('sample-count')).toHaveAttribute('data-value', String(files.length));
  }

  await test.step('choose 0.75: the layer list and the totals follow the model', async () => {
    await page.getByTestId('base-model').selectOption(WIDE);
    await expect(row(page, 'conv_pw_13').locator('.shape')).toHaveText('7×7×768', { timeout: 120_000 });
    await waitForModel(page);
    await expect(row(page, 'conv_pw_13')).toHaveAttribute('data-params', String(params.get('conv_pw_13')));
    await expect(row(page, 'conv_pw_1').locator('.shape')).toHaveText('112×112×48');
    await expect(page.getByTestId('trainable-params')).toHaveAttribute('data-value', String(headParams(768, 2)));
    await expect(page.getByTestId('frozen-params')).toHaveAttribute('data-value', String(baseParams));
    // Photos stay with the project whatever the base.
    await expect(card(page, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '5');
  });

  await test.step('train on 0.75 (feature extraction) and predict held-out photos', async () => {
    await page.getByTestId('train-mode').selectOption('feature-extraction');
    await setField(page, 'epochs', '15');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
    expect(await predictOne(page, shoes[7])).toMatch(/^(shoes|hat)$/);
    expect(await predictOne(page, hats[7])).toMatch(/^(shoes|hat)$/);
  });

  await test.step('reload: the base choice and the trained head are still there', async () => {
    await expect(page.getByTestId('project-saved')).toHaveAttribute('data-names', 'shoes\nhat');
    await page.reload();
    await expect(page.getByTestId('base-model')).toHaveValue(WIDE);
    await expect(row(page, 'conv_pw_13').locator('.shape')).toHaveText('7×7×768', { timeout: 120_000 });
    await waitForModel(page);
    await expect(page.getByTestId('base-head-notice')).toHaveCount(0);
    expect(await predictOne(page, hats[8])).toMatch(/^(shoes|hat)$/);
  });

  await test.step('fine-tune the top block of 0.75: every frozen weight bit-identical', async () => {
    const before = Number(await page.getByTestId('trainable-params').getAttribute('data-value'));
    await page.getByRole('button', { name: /Block 13|Bloco 13/ }).click();
    for (const name of ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']) {
      await row(page, name).getByTestId('layer-toggle').check();
      await expect(row(page, name)).toHaveAttribute('data-trainable', 'true');
    }
    const after = Number(await page.getByTestId('trainable-params').getAttribute('data-value'));
    // Trainable weights of the block from model.json: everything but BatchNorm's moving statistics.
    const moving = 2 * 768 * 2;
    const block = ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn'].reduce((n, l) => n + params.get(l)!, 0) - moving;
    expect(after - before).toBe(block);
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '1');
    await setField(page, 'learning-rate', '0.0001');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
    const proof = page.getByTestId('frozen-check');
    await expect(proof).toHaveAttribute('data-changed', '0');
    expect(Number(await proof.getAttribute('data-checked'))).toBeGreaterThan(0);
  });

  await test.step('back on 0.25: the 0.75 head is kept for its base, never loaded here, and a retrain is offered', async () => {
    await page.getByTestId('base-model').selectOption('mobilenet_v1_0.25');
    await expect(row(page, 'conv_pw_13').locator('.shape')).toHaveText('7×7×256', { timeout: 120_000 });
    await expect(page.getByTestId('base-head-notice')).toHaveAttribute('data-head-base', WIDE);
    await expect(page.getByTestId('base-retrain')).toBeVisible();
    // With no head for this base the lab answers with MobileNet's ImageNet classes, not the 0.75 head's.
    expect(await predictOne(page, hats[9])).not.toMatch(/^(shoes|hat)$/);
  });
});
