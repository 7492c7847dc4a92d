import { readFileSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { test, expect, waitForModel, setField, setUpClasses, photosOf, type Page } from './fixtures';

/** The peak's position as the handle states it: plain numbers in 0..1 of the photo. */
async function peakOf(page: Page): Promise<[number, number]> {
  const cam = page.getByTestId('class-activation');
  await expect(cam).toHaveAttribute('data-peak-x', /\d/);
  const x = Number(await cam.getAttribute('data-peak-x'));
  const y = Number(await cam.getAttribute('data-peak-y'));
  return [x, y];
}

test('why? a held-out hat: shoes vs hats trained on the automatic backend, the map of the answer, then of the other class by keyboard', async ({ page }) => {
  const shoes = photosOf('shoes');
  const hats = photosOf('hat');
  await page.goto('./?lang=pt-BR#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [shoes.slice(0, 8), hats.slice(0, 8)]);
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '10');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  const photo = hats[25];
  await page.getByTestId('predict-upload').setInputFiles(photo);
  const top = page.locator(`[data-testid=prediction][data-input="${basename(photo)}"]`);
  await expect(top).toHaveAttribute('data-label', /^(shoes|hat)$/);
  const answer = (await top.getAttribute('data-label'))!;

  const open = page.getByTestId('class-activation-open');
  await expect(open).toHaveText('Por quê?');
  await open.click();
  const cam = page.getByTestId('class-activation');
  await expect(cam).toBeVisible();
  await expect(cam).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(cam.getByRole('heading', { name: 'Mapa de ativação de classe' })).toBeVisible();
  // The predicted class is explained first, by the trained model.
  await expect(cam).toHaveAttribute('data-class', answer);
  await expect(cam).toHaveAttribute('data-from', 'trained');
  const [x, y] = await peakOf(page);
  for (const v of [x, y]) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  // Where the peak is, in words, for someone who cannot see the colours.
  await expect(cam.getByRole('img', { name: new RegExp(`Para “${answer}”, o modelo olhou mais para`) })).toBeVisible();

  await test.step('the class toggle, by keyboard: the other class gets its own map', async () => {
    const checked = cam.locator('[data-testid=class-activation-class]:checked');
    await expect(checked).toHaveAttribute('data-class', answer);
    await checked.focus();
    await page.keyboard.press('ArrowDown');
    const other = answer === 'hat' ? 'shoes' : 'hat';
    await expect(cam).toHaveAttribute('data-class', other, { timeout: 120_000 });
    await expect(cam).toHaveAttribute('data-state', 'done');
    await expect(cam.locator('[data-testid=class-activation-class]:checked')).toHaveAttribute('data-class', other);
  });

  await test.step('in English too, and a new photo closes the old map', async () => {
    await page.getByTestId('lang').selectOption('en');
    await expect(cam.getByRole('heading', { name: 'Class activation map' })).toBeVisible();
    await page.getByTestId('predict-upload').setInputFiles(shoes[25]);
    await expect(page.locator(`[data-testid=prediction][data-input="${basename(shoes[25])}"]`)).toBeVisible();
    await expect(cam).toHaveCount(0);
    await expect(page.getByTestId('class-activation-open')).toHaveText('Why?');
  });
});

test('why? on the live camera: the frame is frozen, classified and explained, by ImageNet’s head before any training', async ({ page }) => {
  await page.goto('./?lang=en#/lab');
  await waitForModel(page);
  await page.getByRole('button', { name: 'Turn on the webcam' }).click();
  await page.getByRole('button', { name: 'Start live prediction' }).click();
  await expect(page.locator('[data-testid=prediction][data-input=webcam]')).toBeVisible();
  await page.getByTestId('class-activation-open').click();
  // Live prediction stops on the frozen frame, which is the answer shown and the photo explained.
  await expect(page.getByRole('button', { name: 'Start live prediction' })).toBeVisible();
  const frame = page.locator('[data-testid=prediction][data-input=webcam-frame]');
  await expect(frame).toBeVisible();
  const cam = page.getByTestId('class-activation');
  await expect(cam).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(cam).toHaveAttribute('data-from', 'imagenet');
  await expect(cam).toHaveAttribute('data-class', (await frame.getAttribute('data-label'))!);
  const [x, y] = await peakOf(page);
  for (const v of [x, y]) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  // ImageNet's top five are offered, the explained one first.
  await expect(cam.getByTestId('class-activation-class')).toHaveCount(5);
  await expect(cam.getByTestId('class-activation-class').first()).toBeChecked();
});

/** The chapter that places the widget (the lessons own where it goes). */
function chapterWithWidget(): string | undefined {
  const lessons = resolve(import.meta.dirname, '..', 'lessons');
  return readdirSync(lessons, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .find((slug) => {
      try {
        return /^::: widget class-activation\s*$/m.test(readFileSync(resolve(lessons, slug, 'lesson.en.md'), 'utf8'));
      } catch {
        return false;
      }
    });
}

test('the chapter widget trains on the sample photos when the lab has no model and shows where it looks', async ({ page }) => {
  const slug = chapterWithWidget();
  expect(slug, 'a chapter places ::: widget class-activation').toBeTruthy();
  await page.goto(`./?lang=en#/chapters/${slug}`);
  const w = page.locator('[data-widget="class-activation"]');
  await w.getByTestId('class-activation-run').click();
  await waitForModel(page);
  const cam = w.getByTestId('class-activation');
  await expect(cam).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(w.getByTestId('class-activation-widget')).toHaveAttribute('data-state', 'done');
  await expect(cam).toHaveAttribute('data-from', 'trained');
  await expect(cam.locator('canvas')).toBeVisible();
  // The small model answers with the sample classes (shoes and hats), and the map explains one of them.
  await expect(cam).toHaveAttribute('data-class', /^(shoes|hat)$/);
  const photos = w.getByTestId('class-activation-photo');
  await expect(cam).toHaveAttribute('data-photo', (await photos.first().getAttribute('data-photo'))!);
  const [x, y] = await peakOf(page);
  for (const v of [x, y]) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  // Another photo, by keyboard, gets its own map.
  expect(await photos.count()).toBeGreaterThanOrEqual(4);
  const last = photos.last();
  await last.focus();
  await page.keyboard.press('Enter');
  await expect(last).toHaveAttribute('aria-pressed', 'true');
  await expect(cam).toHaveAttribute('data-photo', (await last.getAttribute('data-photo'))!);
  await expect(cam).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
});
