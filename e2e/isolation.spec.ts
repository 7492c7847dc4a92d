import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { test, expect, waitForModel, setField, clothing } from './fixtures';
import type { BrowserContext, Page, Worker as PageWorker } from '@playwright/test';
import { HEADERS_PORT, SUBPATH, SUBPATH_PORT } from '../playwright.config';
import { CSP, ISOLATION_HEADERS, SERVER_HEADERS } from '../scripts/csp.mjs';

const photos = (cls: string, n: number) => {
  const dir = dirname(clothing(cls, 'x.jpg'));
  return readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => clothing(cls, f));
};

/** Three real photos each into the first two classes, as a learner picks them in the file dialog. */
async function uploadThreeEach(page: Page): Promise<void> {
  const cards = page.getByTestId('class-card');
  for (const [i, cls] of ['shoes', 'hat'].entries()) {
    await cards.nth(i).getByTestId('class-upload').setInputFiles(photos(cls, 3));
    await expect(cards.nth(i).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
  }
}

test('under a sub-path, the reload the app offers makes it cross-origin isolated (page and engine worker): wasm on every core trains, the camera and the Teachable Machine export work', async ({ page }) => {
  const root = `http://127.0.0.1:${SUBPATH_PORT}${SUBPATH}`;
  await page.goto(`${root}?lang=en#/lab`);
  await waitForModel(page);
  const backend = page.getByTestId('backend');
  // The first visit was loaded before the service worker existed: not isolated, so wasm has one thread.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(backend).toHaveAttribute('data-isolated', 'false');
  const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
  test.skip(cores < 2, 'one core: a reload brings no second thread, so none is offered');

  await expect(page.getByTestId('pwa-notice')).toHaveAttribute('data-state', 'offline-ready', { timeout: 120_000 });
  await page.getByTestId('pwa-faster').click();
  await page.waitForURL(/#\/lab/);
  expect(await waitForModel(page)).toBe('wasm');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(backend).toHaveAttribute('data-isolated', 'true');
  await expect(backend).toHaveAttribute('data-threads', String(cores));
  await expect(page.getByTestId('pwa-faster')).toHaveCount(0);

  await uploadThreeEach(page);
  // Every layer trains: the engine shares each step's photos with replicas on the other cores (one engine each),
  // which it starts from its own script; the engine's worker itself started with the lab.
  const replicas: string[] = [];
  page.on('worker', (w) => {
    if (/engine\.worker/.test(w.url())) replicas.push(w.url());
  });
  await page.getByRole('button', { name: 'Train everything' }).click();
  await page.getByTestId('train-mode').selectOption('fine-tune');
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  expect(replicas).toHaveLength(Math.min(cores - 1, 3));

  await test.step('the camera delivers frames in the isolated page', async () => {
    await page.getByRole('button', { name: 'Turn on the webcam' }).click();
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.readyState === 4);
  });

  await test.step('the Teachable Machine export downloads its zip', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('model-export-tm').click();
    expect((await download).suggestedFilename()).toMatch(/\.zip$/);
  });
});

test.describe('a host that sends its own headers', () => {
  // The host's headers reach the page and the engine's worker as they are (no service worker to add or keep any).
  test.use({ serviceWorkers: 'block' });

  const lowered = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  /** Every response of the app comes with `headers` added, as the host sends them. */
  const hostSends = (context: BrowserContext, headers: Record<string, string>) =>
    context.route('**/*', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), ...lowered(headers) } });
    });

  test('isolated, but its CSP refuses blob: workers: wasm keeps to one thread, says why, and trains', async ({ page, context }) => {
    // The app's own policy as a strict university server might send it: no blob: in worker-src or script-src.
    await hostSends(context, { 'Content-Security-Policy': CSP, ...ISOLATION_HEADERS });
    await page.goto('./?lang=en#/lab');
    expect(await waitForModel(page)).toBe('wasm');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const backend = page.getByTestId('backend');
    await expect(backend).toHaveAttribute('data-isolated', 'true');
    await expect(backend).toHaveAttribute('data-threads', '1');
    await expect(backend).toHaveAttribute('data-notes', /\bone-thread-workers-refused\b/);
    await expect(backend).toContainText("its threads' workers could not start here");

    await uploadThreeEach(page);
    await page.getByRole('button', { name: 'Fine-tune top block' }).click();
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '2');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    // That the host's policy refused nothing in the page is the fixture's check, as for every test.
  });

  test("Firefox's stuck nested worker at the engine's start: the page restarts it with its threads, and the learner sees only a slower start", async ({ page, context }) => {
    // The engine's first script freezes at the first `new Worker()` it announces, as Firefox does (the restart's own script does not).
    let frozen = 0;
    await context.route('**/*', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers(), ...lowered(SERVER_HEADERS) };
      if (!/engine\.worker-[^/]*\.js$/.test(route.request().url()) || frozen++ > 0) return route.fulfill({ response, headers });
      const freeze = `{ const post = self.postMessage.bind(self); self.postMessage = (m, ...r) => { post(m, ...r); if (m && m.transferLabSpawn === 'begin') for (;;); }; }\n`;
      await route.fulfill({ response, headers, body: freeze + (await response.text()) });
    });
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    await page.goto('./?lang=en#/lab');
    expect(await waitForModel(page)).toBe('wasm');
    const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    test.skip(cores < 2, 'one core: no threads, so no worker started inside the engine');
    expect(frozen, 'the engine script was served twice: the frozen one and the restart').toBe(2);
    expect(warnings.some((w) => /engine worker was lost \(stuck: /.test(w))).toBe(true);
    await expect(page.getByTestId('backend')).toHaveAttribute('data-threads', String(cores));
    // Nothing the learner did was lost, so nothing to tell: no recovery notice, no error.
    await expect(page.getByTestId('engine-recovery')).toHaveCount(0);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
  });

  test("Firefox's stuck nested worker, reproduced: the engine freezes inside `new Worker()` as fine-tuning starts its replicas; the page restarts it within seconds and the run starts over by itself; stuck again as it starts over, the run fails with the reason; the third stuck engine keeps to one thread", async ({ page }) => {
    test.setTimeout(300_000);
    // A server that sends the headers itself: Playwright's routes let some nested workers' scripts through without them.
    await page.goto(`http://127.0.0.1:${HEADERS_PORT}/?lang=en#/lab`);
    expect(await waitForModel(page)).toBe('wasm');
    const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    test.skip(cores < 2, 'one core: no threads, so no worker started inside the engine');
    const backend = page.getByTestId('backend');
    await expect(backend).toHaveAttribute('data-threads', String(cores));

    await uploadThreeEach(page);
    const cards = page.getByTestId('class-card');
    await page.getByRole('button', { name: 'Train everything' }).click();
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '2');
    const status = page.getByTestId('train-status');
    const notice = page.getByTestId('engine-recovery');
    const startedOver = page.getByTestId('train-started-over');

    /** What Firefox does now and then: the engine's thread never comes back from the replica's constructor it announced. */
    const freezeAtReplicaStart = (engine: PageWorker) =>
      engine.evaluate(() => {
        const scope = self as unknown as { postMessage: (...args: unknown[]) => void };
        const post = scope.postMessage.bind(scope);
        scope.postMessage = (...args) => {
          post(...args);
          const m = args[0] as { transferLabSpawn?: string; script?: string } | null;
          if (m?.transferLabSpawn === 'begin' && /engine\.worker/.test(m.script ?? '')) for (;;);
        };
      });
    const engines = () => page.workers().filter((w) => /engine\.worker/.test(w.url()));
    /** Fresh engines still to freeze as they appear (the page's restart of a frozen one), before they reach training. */
    let freezeNext = 0;
    page.on('worker', (w) => {
      if (freezeNext > 0 && /engine\.worker/.test(w.url())) {
        freezeNext--;
        void freezeAtReplicaStart(w);
      }
    });

    await test.step('stuck, and stuck again as the run starts over: the run fails with the reason, the notice says it, the restart has its threads', async () => {
      await expect.poll(() => engines().length).toBe(1);
      await freezeAtReplicaStart(engines()[0]);
      freezeNext = 1;
      const frozeAt = Date.now();
      await page.getByTestId('train').click();
      await expect(startedOver).toContainText('The engine got stuck starting one of its threads (a fault of this browser), so it was restarted and this training started over by itself', { timeout: 60_000 });
      // The heartbeat allows minutes of silence while a call is in flight; the spawn watch takes seconds.
      expect(Date.now() - frozeAt).toBeLessThan(60_000);
      await expect(status).toHaveAttribute('data-state', 'error', { timeout: 120_000 });
      await expect(page.getByText(/The engine got stuck starting one of its threads while doing this, so it is being restarted/)).toBeVisible();
      await expect(notice).toHaveAttribute('data-state', 'recovered', { timeout: 120_000 });
      await expect(notice).toHaveAttribute('data-cause', 'stuck');
      await expect(notice).toContainText('The engine got stuck starting one of its threads (a fault of this browser) and was restarted');
      await expect(backend).toHaveAttribute('data-threads', String(cores));
      for (const i of [0, 1]) await expect(cards.nth(i).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
      await notice.getByRole('button', { name: 'Dismiss' }).click();
    });

    await test.step('stuck once: the run starts over by itself without a notice, on one thread (the third stuck engine), and says why', async () => {
      // The engine that failed is gone; the fresh one has started no replica yet.
      await expect.poll(() => engines().length).toBe(1);
      await freezeAtReplicaStart(engines()[0]);
      await page.getByTestId('train').click();
      await expect(status).toHaveAttribute('data-state', /^(done|error)$/, { timeout: 150_000 });
      // Nothing was lost to the learner, so no error and no notice.
      expect(await page.getByRole('alert').allTextContents()).toEqual([]);
      await expect(status).toHaveAttribute('data-state', 'done');
      await expect(startedOver).toBeVisible();
      await expect(notice).toHaveCount(0);
      await expect(backend).toHaveAttribute('data-threads', '1');
      await expect(backend).toHaveAttribute('data-notes', /\bone-thread-stuck-thread\b/);
      await expect(backend).toContainText('the engine got stuck starting one of its threads and was restarted without them');
      for (const i of [0, 1]) await expect(cards.nth(i).getByTestId('sample-count')).toHaveAttribute('data-value', '3');
    });
    // The next run, with nothing stuck, says nothing of the last one's restart.
    await page.getByTestId('train').click();
    await expect(status).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    await expect(startedOver).toHaveCount(0);
  });
});
