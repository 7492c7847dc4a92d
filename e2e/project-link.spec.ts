import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, expect, classCard, photosOf, setUpClasses, type Page } from './fixtures';

/*
 * An instructor exports a prepared project from the lab and places the zip beside the built site, under
 * projects/; students open it from a link, #/lab?project=projects/<name>.zip.
 */
const DIST = resolve(import.meta.dirname, '..', process.env.E2E_DIST ?? 'dist');
const NAME = `e2e-link-${process.pid}.zip`;
const LINK = `./?lang=en#/lab?project=projects/${NAME}`;
const ZIP = join(DIST, 'projects', NAME);

const names = (page: Page) => page.getByTestId('class-name').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
const counts = (page: Page) => page.getByTestId('sample-count').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));

test.afterAll(() => rmSync(ZIP, { force: true }));

test('an instructor\'s link opens their project in the lab, asking before it replaces the student\'s; a truncated zip there gets the import\'s error', async ({ page, browser, baseURL }) => {
  const hats = photosOf('hat').slice(0, 3);
  const shoes = photosOf('shoes').slice(0, 2);

  await test.step('the instructor exports a prepared project and puts it beside the site', async () => {
    await page.goto('./?lang=en#/lab');
    await setUpClasses(page, ['hat', 'shoes'], [hats, shoes]);
    const download = page.waitForEvent('download');
    await page.getByTestId('project-export').click();
    mkdirSync(join(DIST, 'projects'), { recursive: true });
    writeFileSync(ZIP, readFileSync((await (await download).path())!));
  });

  const student = await (await browser.newContext({ baseURL })).newPage();
  await student.goto('./?lang=en#/lab');
  await classCard(student, 0).getByTestId('class-name').fill('my dresses');
  await classCard(student, 0).getByTestId('class-upload').setInputFiles(photosOf('dress').slice(0, 1));
  await expect(classCard(student, 0).getByTestId('sample-count')).toHaveAttribute('data-value', '1');
  const mine = { names: await names(student), counts: await counts(student) };

  await test.step('the student has work of their own: the link asks, and "keep mine" keeps it', async () => {
    await student.goto('about:blank');
    await student.goto(LINK);
    const link = student.getByTestId('project-link');
    await expect(link).toHaveAttribute('data-state', 'ask');
    await expect(link).toContainText(`The link opens the project ${NAME}, with 2 classes and 5 photos`);
    expect(new URL(student.url()).hash, 'the link leaves the address').toBe('#/lab');
    await student.getByTestId('project-link-keep').click();
    await expect(link).toHaveAttribute('data-state', 'kept');
    await student.reload();
    await expect(student.getByTestId('project-link')).toHaveCount(0);
    await expect.poll(() => names(student)).toEqual(mine.names);
    expect(await counts(student)).toEqual(mine.counts);
  });

  await test.step('the same link again, and this time the instructor\'s project: its classes and photos', async () => {
    await student.goto(LINK);
    await expect(student.getByTestId('project-link')).toHaveAttribute('data-state', 'ask');
    await student.getByTestId('project-link-replace').click();
    await expect(student.getByTestId('project-import-status')).toHaveAttribute('data-state', 'ok');
    await expect.poll(() => names(student)).toEqual(['hat', 'shoes']);
    expect(await counts(student)).toEqual([3, 2]);
    await expect(classCard(student, 0).getByTestId('sample-thumb')).toHaveCount(3);
    await expect(classCard(student, 1).getByTestId('sample-thumb')).toHaveCount(2);
    // Opened once, the project lives in the student's storage: the zip itself is not kept in a cache.
    const cached = await student.evaluate(async () => {
      for (const key of await caches.keys()) if ((await (await caches.open(key)).keys()).some((r) => r.url.includes('/projects/'))) return true;
      return false;
    });
    expect(cached).toBe(false);
  });

  await test.step('a truncated zip at the link gets the same message as Import gives it; the project is untouched', async () => {
    const whole = readFileSync(ZIP);
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    writeFileSync(ZIP, cut);
    await student.getByTestId('project-import').setInputFiles({ name: NAME, mimeType: 'application/zip', buffer: cut });
    await expect(student.getByTestId('project-import-status')).toHaveAttribute('data-state', 'error');
    const importMessage = await student.getByTestId('project-import-status').innerText();

    await student.goto(LINK);
    await expect(student.getByTestId('project-link')).toHaveAttribute('data-state', 'failed');
    await expect(student.getByTestId('project-link-error')).toHaveText(importMessage);
    await student.reload();
    await expect.poll(() => names(student)).toEqual(['hat', 'shoes']);
    expect(await counts(student)).toEqual([3, 2]);
  });

  await test.step('a link to another site is refused before anything is fetched', async () => {
    const asked: string[] = [];
    student.on('request', (r) => asked.push(r.url()));
    await student.goto('./?lang=en#/lab?project=https://elsewhere.example/projects/x.zip');
    await expect(student.getByTestId('project-link-error')).toContainText('points to another site');
    expect(asked.filter((u) => u.includes('elsewhere'))).toEqual([]);
  });
  await student.context().close();
});
