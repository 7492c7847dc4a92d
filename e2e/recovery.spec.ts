import { test, expect, waitForModel, setField, setUpClasses, photosOf, type Page } from './fixtures';

/**
 * The engine's worker ends or hangs the way a browser can make it (closed from inside, a loop that never yields),
 * with no hook in the app: the page notices, starts a fresh engine, puts the saved head back and tells the
 * learner once, all without a reload.
 */

const engineWorker = (page: Page) => {
  const worker = page.workers().find((w) => /engine\.worker/.test(w.url()));
  if (!worker) throw new Error(`no engine worker among ${page.workers().map((w) => w.url()).join(', ')}`);
  return worker;
};
const status = (page: Page) => page.getByTestId('train-status');
const notice = (page: Page) => page.getByTestId('engine-recovery');
const TRAINED = 'Your trained model answers with your classes.';

/** The head answers with the learner's classes (ImageNet's would say something else). */
async function expectTrainedAnswer(page: Page) {
  await expect(page.getByText(TRAINED)).toBeVisible();
  await page.getByTestId('predict-upload').setInputFiles(photosOf('hat')[9]);
  await expect(page.locator('[data-testid=prediction][data-input]').first()).toHaveAttribute('data-label', /^(shoes|hat)$/);
}

async function expectRecovered(page: Page, cause: string) {
  await expect(notice(page)).toHaveAttribute('data-state', 'recovered', { timeout: 120_000 });
  await expect(notice(page)).toHaveAttribute('data-cause', cause);
  await expect(notice(page)).toHaveAttribute('data-restored', 'true');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
}

test('the engine worker ends while idle, ends mid-training and hangs: each time the page brings it back with the trained head, without a reload', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('./?lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 3), photosOf('hat').slice(0, 3)]);
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));

  await test.step('ended while idle', async () => {
    const before = engineWorker(page);
    await before.evaluate(() => self.close());
    await expectRecovered(page, 'crashed');
    await expect(notice(page)).toContainText('The engine stopped unexpectedly and was restarted; your trained model is back.');
    expect(engineWorker(page)).not.toBe(before);
    await expectTrainedAnswer(page);
    await notice(page).getByRole('button', { name: 'Dismiss' }).click();
    await expect(notice(page)).toHaveCount(0);
  });

  await test.step('ended mid-training: the run is rejected with a translated message, the saved head comes back', async () => {
    await page.getByRole('button', { name: 'Fine-tune top block' }).click();
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '500');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-loss')).not.toHaveAttribute('data-value', '');
    await engineWorker(page).evaluate(() => self.close());
    await expect(status(page)).toHaveAttribute('data-state', 'error');
    await expect(page.getByText(/The engine stopped while doing this, so it is being restarted/)).toBeVisible();
    await expectRecovered(page, 'crashed');
    await expectTrainedAnswer(page);
    await notice(page).getByRole('button', { name: 'Dismiss' }).click();
  });

  await test.step('stuck while idle: the heartbeat gives up on it', async () => {
    // A loop that never yields: the worker is alive but answers nothing (the evaluation ends with the worker).
    engineWorker(page).evaluate(() => {
      for (;;);
    }).catch(() => {});
    await expect(notice(page)).toHaveAttribute('data-state', 'restarting', { timeout: 60_000 });
    await expectRecovered(page, 'unresponsive');
    await expectTrainedAnswer(page);
  });

  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), 'the page was never reloaded').toBe(true);
});

test('a lost WebGPU device moves the engine to the next backend that passes the self-test, with the trained head, and says so', async ({ page }) => {
  test.setTimeout(300_000);
  // On this machine the automatic choice never lands on WebGPU (its adapter is software): it is asked for.
  await page.goto('./?backend=webgpu&lang=en#/lab');
  expect(await waitForModel(page)).toBe('webgpu');
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 3), photosOf('hat').slice(0, 3)]);
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  // The browser's own way to lose a device: GPUDevice.destroy() on the device tfjs holds (tfjs keeps its engine on the worker's global).
  const worker = engineWorker(page);
  await worker.evaluate(() => (self as unknown as { _tfengine: { registry: { webgpu: { device: { destroy(): void } } } } })._tfengine.registry.webgpu.device.destroy());
  await expect(notice(page)).toHaveAttribute('data-state', 'recovered', { timeout: 120_000 });
  await expect(notice(page)).toHaveAttribute('data-cause', 'device');
  await expect(notice(page)).toHaveAttribute('data-restored', 'true');
  await expect(notice(page)).toContainText(/The GPU stopped working \(WebGPU: .+\), so the engine moved to (webgl|wasm|cpu), with your trained models\./);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', /^(webgl|wasm|cpu)$/);
  await expect(badge).toHaveAttribute('title', /the WebGPU device was lost \(the browser says: .+\); .*measured fastest/);
  expect(engineWorker(page), 'the same worker: only the backend changed').toBe(worker);
  expect(new URL(page.url()).searchParams.get('backend')).toBeNull();
  await expectTrainedAnswer(page);
});
