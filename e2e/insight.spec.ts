import { createRequire } from 'node:module';
import { test, expect, waitForModel, setField, setUpClasses, photosOf, type Page } from './fixtures';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Screenshots for README.md are written only when asked: SCREENSHOTS=1 (they land in docs/screenshots/). */
const SHOTS = !!process.env.SCREENSHOTS;
const LAYERS = ['conv1_relu', 'conv_pw_6_relu', 'conv_pw_13_relu'];

const engineTensors = (page: Page) =>
  page.evaluate(async () => (await (window as unknown as { __transferLab: { memory(): Promise<{ numTensors: number }> } }).__transferLab.memory()).numTensors);

/** Distinct colours in a canvas: a map that was really drawn from activations is not one flat colour. */
const colours = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });

async function expectMaps(page: Page, root: ReturnType<Page['getByTestId']>) {
  const groups = root.getByTestId('feature-layer');
  await expect(groups).toHaveCount(3);
  expect(await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')))).toEqual(LAYERS);
  for (const layer of LAYERS) await expect(root.locator(`[data-layer="${layer}"] [data-testid=feature-channel]`)).toHaveCount(8);
  await expect(root.getByTestId('conv1-filter')).toHaveCount(8);
  expect(await colours(page, '[data-layer="conv1_relu"] [data-testid=feature-channel]')).toBeGreaterThan(10);
  expect(await colours(page, '[data-testid=conv1-filter]')).toBeGreaterThan(1);
}

for (const lang of ['pt-BR', 'en']) {
  test(`chapter 3 (${lang}): feature-maps shows conv1, block 6 and block 13 and conv1's 8 filters for a sample photo`, async ({ page }) => {
    await page.goto(`./?backend=wasm&lang=${lang}#/chapters/layer-freezing`);
    const widget = page.getByTestId('feature-maps');
    const photo = widget.getByTestId('feature-maps-photo').first();
    await expect(photo.locator('img')).toBeVisible();
    await photo.click();
    await expect(widget).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expectMaps(page, widget);
    // The activation maps are photo-like: a JPEG keeps the screenshot small (a PNG of it is ~180 KB, this ~100 KB).
    if (SHOTS) {
      await widget.screenshot({ path: `docs/screenshots/feature-maps.${lang}.jpg`, type: 'jpeg', quality: 80, scale: 'css', style: '[data-testid=pwa-notice] { display: none !important; }' });
    }
  });
}

test('chapter 2: embedding-map draws the sample photos before training, then the fine-tuned base beside it', async ({ page }) => {
  await page.goto('./?backend=wasm&lang=en#/chapters/feature-extraction');
  const widget = page.getByTestId('embedding-map-widget');
  await widget.getByTestId('embedding-map-run').click();
  const map = widget.getByTestId('embedding-map');
  // The lab is empty, so the widget uses 8 bundled photos of each of 2 sample classes.
  await expect(map).toHaveAttribute('data-points', '16', { timeout: 120_000 });
  await expect(map).toHaveAttribute('data-classes', '2');
  await expect(map).toHaveAttribute('data-tuned', 'false');
  await expect(map.getByTestId('embedding-panel')).toHaveCount(1);
  await widget.getByTestId('embedding-map-tune').click();
  await expect(map).toHaveAttribute('data-tuned', 'true', { timeout: 150_000 });
  await expect(widget).toHaveAttribute('data-state', 'done');
  await expect(map.locator('[data-testid=embedding-panel][data-base=tuned] [data-testid=embedding-point]')).toHaveCount(16);
});

test('lab: the embedding map has one point per photo after training, and a second map after fine-tuning', async ({ page }) => {
  await page.goto('./?backend=wasm&lang=pt-BR#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 4), photosOf('hat').slice(0, 4)]);
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  const map = page.getByTestId('lab-insight').getByTestId('embedding-map');
  const idle = await engineTensors(page);
  await page.getByTestId('lab-insight').getByTestId('embedding-map-run').click();
  await expect(map).toHaveAttribute('data-points', '8');
  expect(await engineTensors(page), 'the embedding map leaves no tensor behind in the engine').toBe(idle);
  await expect(map).toHaveAttribute('data-classes', '2');
  // Feature extraction leaves the base as ImageNet's: one map, and it says so.
  await expect(map).toHaveAttribute('data-tuned', 'false');
  await expect(map.getByTestId('embedding-point')).toHaveCount(8);

  await test.step('fine-tune block 13: the tuned base gets its own map, one point per photo', async () => {
    await page.getByRole('button', { name: /Block 13|Bloco 13/ }).click();
    for (const name of ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']) {
      await page.locator(`[data-testid=layer-row][data-layer="${name}"]`).getByTestId('layer-toggle').check();
    }
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '2');
    await setField(page, 'learning-rate', '0.001');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    await expect(page.getByTestId('frozen-check')).toHaveAttribute('data-changed', '0');
    // The map drawn once is redrawn by itself after the run.
    await expect(map).toHaveAttribute('data-tuned', 'true');
    await expect(map).toHaveAttribute('data-points', '8');
    await expect(map.locator('[data-testid=embedding-panel][data-base=tuned] [data-testid=embedding-point]')).toHaveCount(8);
    await expect(map.locator('[data-testid=embedding-panel][data-base=imagenet] [data-testid=embedding-point]')).toHaveCount(8);
  });

  await test.step("the lab's feature maps use its photos and its tuned weights", async () => {
    const widget = page.getByTestId('lab-insight').getByTestId('feature-maps');
    await widget.getByTestId('feature-maps-photo').first().click();
    await expect(widget).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expectMaps(page, widget);
    const idle = await engineTensors(page);
    await widget.getByTestId('feature-maps-photo').nth(5).click();
    await expect(widget.getByTestId('feature-maps-photo').nth(5)).toHaveAttribute('aria-pressed', 'true');
    await expect(widget).toHaveAttribute('data-state', 'done');
    expect(await engineTensors(page), 'feature maps from the tuned pipeline leave no tensor behind').toBe(idle);
  });

  if (SHOTS) {
    const card = page.getByTestId('lab-insight').locator('section.insight').first();
    const hideToast = '[data-testid=pwa-notice] { display: none !important; }';
    await card.screenshot({ path: 'docs/screenshots/embedding-map.pt-BR.png', scale: 'css', style: hideToast });
    await page.getByTestId('lang').selectOption('en');
    await expect(card.locator('h3')).toHaveText('Map of the embeddings');
    await card.screenshot({ path: 'docs/screenshots/embedding-map.en.png', scale: 'css', style: hideToast });
  }
});

test('lab: a two-phase run (head, then the top block at 1e-5) ends done, marks the phase boundary and keeps frozen weights frozen', async ({ page }) => {
  await page.goto('./?backend=wasm&lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 4), photosOf('hat').slice(0, 4)]);
  await page.getByTestId('train-mode').selectOption('two-phase');
  await setField(page, 'epochs', '2');
  await setField(page, 'two-phase-blocks', '1');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-phase')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(page.getByTestId('train-phase')).toHaveAttribute('data-value', '2');
  const proof = page.getByTestId('frozen-check');
  await expect(proof).toHaveAttribute('data-changed', '0');
  expect(Number(await proof.getAttribute('data-checked'))).toBeGreaterThan(0);
  // 2 epochs of the head, then 2 of fine-tuning: the chart's marker sits after epoch 2.
  await expect(page.locator('figure[data-boundary]')).toHaveAttribute('data-boundary', '2');
  if (SHOTS) {
    await page.locator('figure[data-boundary]').screenshot({ path: 'docs/screenshots/two-phase-chart.en.png', scale: 'css', style: '[data-testid=pwa-notice] { display: none !important; }' });
  }
});

test.describe('accessibility of the drawn widgets', () => {
  // axe is injected as an inline script, which the app's own CSP forbids.
  test.use({ bypassCSP: true });

  test('feature maps and the embedding map, once drawn, have no serious or critical axe violations', async ({ page }) => {
    const scan = async () => {
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        type V = { id: string; impact: string | null; nodes: { target: string[] }[] };
        const axe = (window as unknown as { axe: { run: (ctx: Element, opts: object) => Promise<{ violations: V[] }> } }).axe;
        const roots = [...document.querySelectorAll('[data-testid=feature-maps], [data-testid=embedding-map-widget]')];
        const found = await Promise.all(roots.map((r) => axe.run(r, { resultTypes: ['violations'] })));
        return found.flatMap((f) => f.violations).filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations).toEqual([]);
    };
    await page.goto('./?backend=wasm&lang=pt-BR#/chapters/layer-freezing');
    const maps = page.getByTestId('feature-maps');
    await maps.getByTestId('feature-maps-photo').first().click();
    await expect(maps).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await scan();
    await page.goto('./?backend=wasm&lang=pt-BR#/chapters/feature-extraction');
    const widget = page.getByTestId('embedding-map-widget');
    await widget.getByTestId('embedding-map-run').click();
    await expect(widget.getByTestId('embedding-map')).toHaveAttribute('data-points', '16', { timeout: 120_000 });
    await scan();
  });
});
