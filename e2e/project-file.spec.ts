import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { test, expect, clothing, waitForModel, setField, type Page } from './fixtures';

const photos = (cls: string) => {
  const dir = dirname(clothing(cls, 'x.jpg'));
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => clothing(cls, f));
};
const card = (page: Page, i: number) => page.getByTestId('class-card').nth(i);
const LAB = './?lang=en#/lab';

async function predict(page: Page, file: string): Promise<{ label: string; confidence: number }> {
  await page.getByTestId('predict-upload').setInputFiles(file);
  const top = page.locator(`[data-testid=prediction][data-input="${basename(file)}"]`);
  await expect(top).toHaveAttribute('data-label', /^(shoes|hat)$/);
  return { label: (await top.getAttribute('data-label'))!, confidence: Number(await top.getAttribute('data-confidence')) };
}

test('export the project, import it into a fresh browser profile: classes, photos, plan, settings and trained head are back', async ({ page, browser, baseURL }) => {
  const shoes = photos('shoes');
  const hats = photos('hat');
  await page.goto(LAB);
  await waitForModel(page);
  for (const [i, [name, files]] of ([['shoes', shoes.slice(0, 3)], ['hat', hats.slice(0, 3)]] as const).entries()) {
    await card(page, i).getByTestId('class-name').fill(name);
    await card(page, i).getByTestId('class-upload').setInputFiles([...files]);
    await expect(card(page, i).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  }
  await page.getByRole('button', { name: /Block 13/ }).click();
  const row = page.locator('[data-testid=layer-row][data-layer="conv_pw_13"]');
  await row.getByTestId('layer-toggle').check();
  await expect(row).toHaveAttribute('data-trainable', 'true');
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '7');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  const before = await predict(page, hats[9]);

  const download = page.waitForEvent('download');
  await page.getByTestId('project-export').click();
  const zip = readFileSync((await (await download).path())!);
  expect(zip.length).toBeGreaterThan(1000);

  await test.step('a truncated zip and a zip of random files are refused; the current project is untouched', async () => {
    const bad = [
      { name: 'cut.zip', mimeType: 'application/zip', buffer: zip.subarray(0, Math.floor(zip.length / 2)) },
      { name: 'random.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync({ 'holiday.txt': strToU8('sun'), 'data.bin': new Uint8Array(512).fill(7) })) },
    ];
    for (const f of bad) {
      await page.getByTestId('project-import').setInputFiles(f);
      await expect(page.getByTestId('project-import-status')).toHaveAttribute('data-state', 'error');
    }
    await page.reload();
    await expect(card(page, 0).getByTestId('class-name')).toHaveValue('shoes');
    await expect(card(page, 1).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  });

  // A fresh browser profile: no IndexedDB, no service worker, nothing of the project.
  const fresh = await browser.newContext({ baseURL });
  const other = await fresh.newPage();
  await other.goto(LAB);
  await expect(card(other, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '0');
  await other.getByTestId('project-import').setInputFiles({ name: 'transfer-lab-project.zip', mimeType: 'application/zip', buffer: zip });
  await expect(other.getByTestId('project-import-status')).toHaveAttribute('data-state', 'ok');
  await expect(other.getByTestId('class-card')).toHaveCount(2);
  await expect(card(other, 0).getByTestId('class-name')).toHaveValue('shoes');
  await expect(card(other, 1).getByTestId('class-name')).toHaveValue('hat');
  await expect(card(other, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  await expect(card(other, 1).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  await expect(other.getByTestId('epochs')).toHaveValue('7');
  await waitForModel(other);
  await other.getByRole('button', { name: /Block 13/ }).click();
  await expect(other.locator('[data-testid=layer-row][data-layer="conv_pw_13"]')).toHaveAttribute('data-trainable', 'true');
  // No training here: the prediction comes from the imported head, and matches the original one.
  await expect(other.getByTestId('train-status')).not.toHaveAttribute('data-state', 'running');
  const after = await predict(other, hats[9]);
  expect(after.label).toBe(before.label);
  expect(Math.abs(after.confidence - before.confidence)).toBeLessThan(1e-3);
  await fresh.close();
});
