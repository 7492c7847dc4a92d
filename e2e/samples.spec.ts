import { createRequire } from 'node:module';
import { test, expect, setField, classCard, photosOf, type Page } from './fixtures';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const card = classCard;

/** Walks every page of a class's photo grid from page 1 on, and returns the photo id of each thumbnail, page by page. */
async function walkPages(page: Page, i: number): Promise<string[][]> {
  const grid = card(page, i).getByTestId('sample-grid');
  while ((await grid.getAttribute('data-page')) !== '1') await grid.getByTestId('sample-page-prev').click();
  const pages = Number(await grid.getAttribute('data-pages'));
  const seen: string[][] = [];
  for (let p = 1; p <= pages; p++) {
    await expect(grid).toHaveAttribute('data-page', String(p));
    seen.push(await grid.getByTestId('sample-thumb').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-photo') ?? '')));
    if (p < pages) await grid.getByTestId('sample-page-next').click();
  }
  if (pages > 1) await expect(grid.getByTestId('sample-page-next')).toBeDisabled();
  return seen;
}

const count = (page: Page, i: number) => card(page, i).getByTestId('sample-count');

/** Waits until the (fake) camera has delivered n more frames: time measured by the camera, not by a sleep. */
const cameraFrames = (page: Page, n: number) =>
  page.evaluate(
    (n) =>
      new Promise<void>((done) => {
        const video = document.querySelector('video')!;
        let frames = 0;
        const tick = () => (++frames >= n ? done() : video.requestVideoFrameCallback(tick));
        video.requestVideoFrameCallback(tick);
      }),
    n,
  );

test('70 photos in one class: every one is shown across the pages, one deleted from page 2 stays deleted after a reload', async ({ page }) => {
  const files = [...photosOf('shoes'), ...photosOf('hat').slice(0, 30)];
  expect(files).toHaveLength(70);
  await page.goto('./?lang=pt-BR#/lab');
  const c = card(page, 0);
  // The upload button is the app's own, translated, and the student picks files through it.
  await expect(c.getByText('Enviar fotos', { exact: true })).toBeVisible();
  await c.getByLabel('Enviar fotos').setInputFiles(files);
  await expect(count(page, 0)).toHaveAttribute('data-value', '70');
  const grid = c.getByTestId('sample-grid');
  await expect(grid).toHaveAttribute('data-total', '70');

  const pages = await walkPages(page, 0);
  expect(pages.length).toBeGreaterThan(1);
  expect(pages.slice(0, -1).every((p) => p.length === pages[0].length), 'every page but the last is full').toBe(true);
  const all = pages.flat();
  expect(all).toHaveLength(70);
  expect(new Set(all).size, 'no photo shown twice, none left out').toBe(70);

  // Page 2, its fourth photo: deleted, and page 2 stays in view.
  while ((await grid.getAttribute('data-page')) !== '2') await grid.getByTestId('sample-page-prev').click();
  const victim = pages[1][3];
  await grid.locator(`[data-photo="${victim}"]`).getByTestId('sample-delete').click();
  await expect(grid).toHaveAttribute('data-total', '69');
  await expect(count(page, 0)).toHaveAttribute('data-value', '69');
  await expect(grid).toHaveAttribute('data-page', '2');
  await expect(grid.locator(`[data-photo="${victim}"]`)).toHaveCount(0);

  await page.reload();
  await expect(count(page, 0)).toHaveAttribute('data-value', '69');
  await expect(card(page, 0).getByTestId('sample-grid')).toHaveAttribute('data-total', '69');
  const after = (await walkPages(page, 0)).flat();
  expect(after).toHaveLength(69);
  expect(after).not.toContain(victim);
  expect(new Set(after)).toEqual(new Set(all.filter((id) => id !== victim)));
});

test('remove all, then undo: every photo comes back and stays after a reload; remove all without undo: gone after a reload', async ({ page }) => {
  await page.goto('./?lang=en#/lab');
  const c = card(page, 0);
  const grid = c.getByTestId('sample-grid');
  await c.getByTestId('class-upload').setInputFiles(photosOf('dress').slice(0, 25));
  await expect(count(page, 0)).toHaveAttribute('data-value', '25');

  await test.step('the last page empties: the grid moves back to the page before', async () => {
    const pages = Number(await grid.getAttribute('data-pages'));
    while ((await grid.getAttribute('data-page')) !== String(pages)) await grid.getByTestId('sample-page-next').click();
    const onLast = grid.getByTestId('sample-thumb');
    for (let left = await onLast.count(); left > 0; left--) await onLast.first().getByTestId('sample-delete').click();
    await expect(grid).toHaveAttribute('data-pages', String(pages - 1));
    await expect(grid).toHaveAttribute('data-page', String(pages - 1));
    await expect(grid.getByTestId('sample-thumb')).not.toHaveCount(0);
  });
  const kept = Number(await count(page, 0).getAttribute('data-value'));
  expect(kept).toBeGreaterThan(0);
  const ids = (await walkPages(page, 0)).flat().sort();
  expect(ids).toHaveLength(kept);

  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  await c.getByTestId('samples-clear').click();
  await expect(count(page, 0)).toHaveAttribute('data-value', '0');
  await expect(c.getByTestId('sample-thumb')).toHaveCount(0);
  const undo = c.getByTestId('samples-undo');
  await expect(undo).toBeVisible();
  await undo.getByRole('button').click();
  await expect(count(page, 0)).toHaveAttribute('data-value', String(kept));
  await expect(undo).toHaveCount(0);
  expect((await walkPages(page, 0)).flat().sort(), 'the same photos are back').toEqual(ids);

  await page.reload();
  await expect(count(page, 0)).toHaveAttribute('data-value', String(kept));
  expect((await walkPages(page, 0)).flat().sort(), 'the undone photos were saved again').toEqual(ids);

  await card(page, 0).getByTestId('samples-clear').click();
  await expect(count(page, 0)).toHaveAttribute('data-value', '0');
  await page.reload();
  await expect(count(page, 0)).toHaveAttribute('data-value', '0');
  await expect(card(page, 0).getByTestId('sample-grid')).toHaveCount(0);
  expect(dialogs, 'no confirm dialog: undo takes its place').toBe(0);
});

test('recording alone: 5 photos/s, 2 s countdown, 1 s duration from one click; nothing during the countdown, about 5 after, none later', async ({ page }) => {
  await page.goto('./?lang=en#/lab');
  // The settings are tucked under their summary, as a learner finds them: opened by its title.
  const settings = page.getByTestId('capture-settings');
  await expect(settings).toContainText('10 photos/s · no countdown · while the button is held');
  await settings.getByText('Webcam recording').click();
  await setField(page, 'capture-fps', '5');
  await setField(page, 'capture-delay', '2');
  await setField(page, 'capture-duration', '1');
  await page.getByRole('button', { name: 'Turn on the webcam' }).click();
  const capture = card(page, 0).getByTestId('capture');
  await expect(capture).toBeEnabled();
  await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.readyState === 4);
  const read = async () => Number(await count(page, 0).getAttribute('data-value'));

  // Watched in the page on every frame while the countdown is on screen: the largest photo count seen then.
  const watch = page.evaluate(
    () =>
      new Promise<{ frames: number; most: number }>((done) => {
        const card = document.querySelector('[data-testid=class-card]')!;
        let frames = 0;
        let most = 0;
        let began = false;
        const look = () => {
          const on = !!card.querySelector('[data-testid=capture-countdown]');
          if (on) {
            began = true;
            frames++;
            most = Math.max(most, Number(card.querySelector('[data-testid=sample-count]')!.getAttribute('data-value')));
          }
          if (began && !on) done({ frames, most });
          else requestAnimationFrame(look);
        };
        look();
      }),
  );
  await capture.click();
  await expect(card(page, 0).getByTestId('capture-countdown')).toBeVisible();
  const during = await watch;
  expect(during.frames).toBeGreaterThan(0);
  expect(during.most, 'no photo is stored during the countdown').toBe(0);

  // One click is enough: the recording stops on its own, and its last frame finishes saving.
  await expect(capture).toHaveAttribute('aria-pressed', 'false');
  await expect(capture).toHaveAttribute('data-saving', 'false');
  const last = await read();
  // 5 photos/s for 1 s is 5; a busy machine may skip a tick while a frame is saving, and a run never outlasts its time.
  expect(last).toBeGreaterThanOrEqual(2);
  expect(last).toBeLessThanOrEqual(8);
  await cameraFrames(page, 15);
  await expect(capture).toHaveAttribute('data-saving', 'false');
  expect(await read(), 'nothing is recorded after the duration').toBe(last);

  await test.step('by keyboard: Space starts the countdown, Enter cancels it before any photo', async () => {
    await capture.focus();
    await capture.press('Space');
    await expect(card(page, 0).getByTestId('capture-countdown')).toBeVisible();
    await capture.press('Enter');
    await expect(card(page, 0).getByTestId('capture-countdown')).toHaveCount(0);
    await expect(capture).toHaveAttribute('aria-pressed', 'false');
    // Longer than the 2 s countdown and the 1 s recording it would have led to, at the fake camera's ~30 frames/s.
    await cameraFrames(page, 120);
    await expect(capture).toHaveAttribute('data-saving', 'false');
    expect(await read(), 'a cancelled countdown records nothing').toBe(last);
  });

  await page.reload();
  await expect(page.getByTestId('capture-settings')).toContainText('5 photos/s · 2 s countdown · 1 s per click');
  await expect(page.getByTestId('capture-fps')).toHaveValue('5');
  await expect(page.getByTestId('capture-delay')).toHaveValue('2');
  await expect(page.getByTestId('capture-duration')).toHaveValue('1');
});

test.describe('by keyboard and screen reader', () => {
  // axe is injected as an inline script, which the app's own CSP (rightly) forbids.
  test.use({ bypassCSP: true });

  /** axe's serious and critical findings inside the lab's classes section. */
  async function violations(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE });
    return page.evaluate(async () => {
      type Result = { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] };
      const axe = (window as unknown as { axe: { run: (ctx: Element, opts: object) => Promise<Result> } }).axe;
      const { violations } = await axe.run(document.querySelector('[aria-labelledby=classes-heading]')!, { resultTypes: ['violations'] });
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
  }

  test('the upload button takes the focus with a visible ring; the grid, its pages and the undo notice pass axe', async ({ page }) => {
    await page.goto('./?lang=pt-BR#/lab');
    const c = card(page, 0);
    const upload = c.getByLabel('Enviar fotos');
    // Tabbing on from the class name reaches the (visually hidden) file input; its label draws the ring.
    await c.getByTestId('class-name').focus();
    for (let i = 0; i < 4 && !(await upload.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(upload).toBeFocused();
    const ring = await upload.evaluate((input) => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--focus)';
      document.body.append(probe);
      const focus = getComputedStyle(probe).color;
      probe.remove();
      const label = getComputedStyle(input.closest('label')!);
      return { style: label.outlineStyle, width: parseFloat(label.outlineWidth), colour: label.outlineColor, focus };
    });
    // The app's one focus ring, drawn on the label because the input itself is hidden.
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(ring.colour).toBe(ring.focus);

    await upload.setInputFiles(photosOf('pants').slice(0, 30));
    await expect(count(page, 0)).toHaveAttribute('data-value', '30');
    const grid = c.getByTestId('sample-grid');
    await grid.getByTestId('sample-page-next').focus();
    await page.keyboard.press('Enter');
    await expect(grid).toHaveAttribute('data-page', '2');
    expect(await violations(page)).toEqual([]);

    // Deleting by keyboard keeps the focus in the grid, on the delete button now in that place.
    const before = await grid.getByTestId('sample-thumb').count();
    await grid.getByTestId('sample-delete').first().focus();
    await page.keyboard.press('Enter');
    await expect(grid.getByTestId('sample-thumb')).toHaveCount(before - 1);
    await expect(grid.getByTestId('sample-delete').first()).toBeFocused();

    await c.getByTestId('samples-clear').focus();
    await page.keyboard.press('Enter');
    const undo = c.getByTestId('samples-undo');
    await expect(undo).toBeVisible();
    await expect(undo.getByRole('button')).toBeFocused();
    expect(await violations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await expect(count(page, 0)).toHaveAttribute('data-value', '29');
  });
});
