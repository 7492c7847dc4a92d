import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { test, expect, clothing, type Page } from './fixtures';
import { badFiles } from './bad-files';

/** The first `n` photos of a clothing class, by file name. */
const photos = (cls: string, n: number) => {
  const dir = dirname(clothing(cls, 'x.jpg'));
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => clothing(cls, f));
};
const card = (page: Page, i: number) => page.getByTestId('class-card').nth(i);
const LAB = './?backend=cpu&lang=en#/lab';

test('first visit: photos added to the two starting classes, with nothing else done, are there after a reload', async ({ page }) => {
  await page.goto(LAB);
  await card(page, 0).getByTestId('class-upload').setInputFiles(photos('shoes', 3));
  await card(page, 1).getByTestId('class-upload').setInputFiles(photos('hat', 3));
  await expect(card(page, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  await expect(card(page, 1).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  await page.reload();
  await expect(page.getByTestId('class-card')).toHaveCount(2);
  await expect(card(page, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  await expect(card(page, 1).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
});

test('a class name typed and the page reloaded at once keeps the name; a duplicate name is refused with a message', async ({ page }) => {
  await page.goto(LAB);
  const name = card(page, 0).getByTestId('class-name');
  await name.selectText();
  await name.pressSequentially('boots');
  await page.reload();
  await expect(card(page, 0).getByTestId('class-name')).toHaveValue('boots');

  const second = card(page, 1).getByTestId('class-name');
  await second.fill('Boots');
  await expect(card(page, 1).getByTestId('class-name-error')).toHaveAttribute('data-problem', 'duplicate');
  await second.press('Tab');
  await expect(second).toHaveValue('B');
  await page.reload();
  await expect(card(page, 1).getByTestId('class-name')).toHaveValue('B');
});

test('one batch of bad files: one message each, the good photos added, the page still responds', async ({ page }) => {
  await page.goto(LAB);
  const c = card(page, 0);
  const good = photos('shoes', 2);
  const asPayload = (path: string) => ({ name: basename(path), mimeType: 'image/jpeg', buffer: readFileSync(path) });
  await c.getByTestId('class-upload').setInputFiles([...badFiles().slice(0, 2), asPayload(good[0]), ...badFiles().slice(2), asPayload(good[1])]);
  await expect(c.getByTestId('sample-count')).toHaveAttribute('data-value', '2');
  for (const f of badFiles()) await expect(c.locator(`[data-testid=upload-error][data-file="${f.name}"]`)).toHaveCount(1);
  await expect(c.getByTestId('upload-error')).toHaveCount(4);
  await expect(c.locator('[data-testid=upload-error][data-file="huge.png"]')).toContainText('10000×10000');
  // Every progress indicator ends, and the page answers the next action.
  await expect(c.locator('progress')).toHaveCount(0);
  await page.getByTestId('add-class').click();
  await expect(page.getByTestId('class-card')).toHaveCount(3);

  for (const f of badFiles()) {
    await page.getByTestId('predict-upload').setInputFiles(f);
    await expect(page.locator(`[data-testid=predict-error][data-file="${f.name}"]`)).toBeVisible();
  }
  await page.getByTestId('predict-upload').setInputFiles(good[0]);
  await expect(page.locator(`[data-testid=prediction][data-input="${basename(good[0])}"]`)).toBeVisible({ timeout: 120_000 });
});

test('two tabs: a class and photos added in the second survive the first one’s own edits, in both after a reload', async ({ page, context }) => {
  await page.goto(LAB);
  await expect(page.getByTestId('class-card')).toHaveCount(2);
  const other = await context.newPage();
  await other.goto(LAB);
  await other.getByTestId('add-class').click();
  await expect(other.getByTestId('class-card')).toHaveCount(3);
  await card(other, 2).getByTestId('class-name').fill('pants');
  await card(other, 2).getByTestId('class-upload').setInputFiles(photos('pants', 2));
  await expect(card(other, 2).getByTestId('sample-count')).toHaveAttribute('data-value', '2');

  // The first tab, open all along, goes on working: rename and add photos.
  await card(page, 0).getByTestId('class-name').fill('shoes');
  await card(page, 0).getByTestId('class-upload').setInputFiles(photos('shoes', 2));
  await expect(card(page, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '2');
  await expect(page.locator('[data-testid=class-card][data-class=pants] [data-testid=sample-count]')).toHaveAttribute('data-value', '2');

  for (const p of [page, other]) {
    await p.reload();
    await expect(p.getByTestId('class-card')).toHaveCount(3);
    await expect(card(p, 0).getByTestId('class-name')).toHaveValue('shoes');
    await expect(card(p, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '2');
    await expect(card(p, 2).getByTestId('class-name')).toHaveValue('pants');
    await expect(card(p, 2).getByTestId('sample-count')).toHaveAttribute('data-value', '2');
  }
});

test('storage: usage and quota shown once a photo is stored, persistence asked for', async ({ page }) => {
  await page.goto(LAB);
  await card(page, 0).getByTestId('class-upload').setInputFiles(photos('shoes', 1));
  const usage = page.getByTestId('storage-usage');
  await expect(usage).toHaveAttribute('data-persisted', /^(true|false)$/);
  await expect.poll(async () => Number(await usage.getAttribute('data-used'))).toBeGreaterThan(0);
  expect(Number(await usage.getAttribute('data-quota'))).toBeGreaterThan(Number(await usage.getAttribute('data-used')));
});

test('a newer version of the app opened in another tab: this tab lets it have the database and says how to go on', async ({ page, context }) => {
  await page.goto(LAB);
  await expect(page.getByTestId('class-card')).toHaveCount(2);
  const other = await context.newPage();
  await other.goto('./?lang=en#/');
  // What a newer build does on its first load: open the database at a higher version.
  const opened = await other.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const req = indexedDB.open('transfer-lab', 99);
        req.onupgradeneeded = () => undefined;
        req.onsuccess = () => (req.result.close(), resolve(true));
        req.onerror = () => resolve(false);
      }),
  );
  expect(opened).toBe(true);
  await expect(page.getByTestId('db-trouble')).toHaveAttribute('data-state', 'blocking');
  await expect(page.getByTestId('db-trouble').getByRole('button')).toBeVisible();
});

test('a setting changed and the page reloaded at once is kept', async ({ page }) => {
  await page.goto(LAB);
  await page.getByTestId('epochs').fill('13');
  await page.getByTestId('epochs').press('Tab');
  await page.reload();
  await expect(page.getByTestId('epochs')).toHaveValue('13');
});

test('photos an older version left without a class appear in a "Recovered" class, with a message', async ({ page }) => {
  await page.goto('./?lang=en#/');
  // The state the first version left after the reported bug: photos stored, the project record never written.
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(32, 24);
    canvas.getContext('2d')!.fillRect(0, 0, 32, 24);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg' });
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('transfer-lab', 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('project');
        req.result.createObjectStore('photos', { keyPath: 'id' }).createIndex('byClass', 'classId');
      };
      req.onsuccess = () => {
        const tx = req.result.transaction('photos', 'readwrite');
        for (const id of ['p1', 'p2']) tx.objectStore('photos').put({ id, classId: 'lost-class', blob, createdAt: 1 });
        tx.oncomplete = () => (req.result.close(), resolve());
        tx.onerror = () => reject(tx.error);
      };
    });
  });
  await page.goto(LAB);
  const recovered = page.locator('[data-testid=class-card][data-class=Recovered]');
  await expect(recovered.getByTestId('sample-count')).toHaveAttribute('data-value', '2');
  await expect(page.getByTestId('project-notice')).toContainText('2 saved photos');
  await page.reload();
  await expect(page.getByTestId('class-card')).toHaveCount(3);
  await expect(recovered.getByTestId('sample-count')).toHaveAttribute('data-value', '2');
});

test('the webcam turns off when the learner leaves the lab', async ({ page }) => {
  await page.goto(LAB);
  await page.getByRole('button', { name: 'Turn on the webcam' }).click();
  await expect(page.getByRole('button', { name: 'Turn off the webcam' })).toBeVisible();
  const nav = page.getByRole('navigation');
  await nav.getByRole('link', { name: 'Home' }).click();
  await nav.getByRole('link', { name: 'Lab' }).click();
  await expect(page.getByRole('button', { name: 'Turn on the webcam' })).toBeVisible();
  await expect(page.locator('video')).toHaveCount(0);
});

test('leaving the page while training asks first', async ({ page }) => {
  await page.goto('./?lang=en#/lab');
  for (const [i, cls] of ['shoes', 'hat'].entries()) {
    await card(page, i).getByTestId('class-upload').setInputFiles(photos(cls, 2));
    await expect(card(page, i).getByTestId('sample-count')).toHaveAttribute('data-value', '2');
  }
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await page.getByTestId('epochs').fill('500');
  await page.getByTestId('epochs').press('Tab');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'running');
  const asked = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  await expect(page.getByTestId('train-status')).toBeVisible();
  await page.getByTestId('cancel-train').click();
  await expect(page.getByTestId('train-status')).not.toHaveAttribute('data-state', 'running');
});

test('an older version of the app still open in another tab: the lab says to close it, then opens', async ({ page, context }) => {
  const older = await context.newPage();
  await older.goto('./?lang=en#/');
  // What the first version kept open in its tab: the database at version 1, never closed on request.
  await older.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const req = indexedDB.open('transfer-lab', 1);
        req.onupgradeneeded = () => {
          req.result.createObjectStore('project');
          req.result.createObjectStore('photos', { keyPath: 'id' }).createIndex('byClass', 'classId');
        };
        req.onsuccess = () => resolve();
      }),
  );
  await page.goto(LAB);
  await expect(page.getByTestId('db-trouble')).toHaveAttribute('data-state', 'blocked');
  await older.close();
  await expect(page.getByTestId('class-card')).toHaveCount(2);
  await expect(page.getByTestId('db-trouble')).toHaveCount(0);
});
