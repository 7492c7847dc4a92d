import { test, expect, waitForModel, setField, setUpClasses, photosOf, type Page } from './fixtures';

/** Starts a run and waits until the lab says it is done. */
async function train(page: Page): Promise<void> {
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
}

/** The frozen-weights proof after the last run: something was compared and nothing frozen changed. */
async function expectFrozenProof(page: Page): Promise<void> {
  const proof = page.getByTestId('frozen-check');
  await expect(proof).toHaveAttribute('data-changed', '0');
  expect(Number(await proof.getAttribute('data-checked'))).toBeGreaterThan(0);
}

// One student session on the automatic backend, 6 shoes + 6 hats: each feature once, checked by what the lab shows.
test('tuning like a practitioner: range test and its suggestion, augmentation, early stopping, a base rate, gradual unfreezing', async ({ page }) => {
  await page.goto('./?lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 6), photosOf('hat').slice(0, 6)]);
  // 5 of each class train, 1 of each is held out for validation (15 %, at least one).
  const embedding = 256 * 4;

  await test.step('the range test suggests a rate; taking it puts it in the learning-rate field', async () => {
    const finder = page.getByTestId('lr-finder');
    await finder.locator('summary').click();
    await page.getByTestId('lr-finder-run').click();
    await expect(finder).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    const suggested = Number(await finder.getAttribute('data-suggested'));
    expect(suggested).toBeGreaterThan(1e-6);
    expect(suggested).toBeLessThan(1);
    await page.getByTestId('lr-finder-apply').click();
    await expect.poll(async () => Number(await page.getByTestId('learning-rate').inputValue())).toBe(suggested);
    await expect(page.getByTestId('lr-finder-apply')).toBeDisabled();
  });

  await test.step('cached views with early stopping: views embedded once, the run stops on validation loss and keeps its best epoch', async () => {
    await setField(page, 'learning-rate', '0.03');
    await setField(page, 'epochs', '12');
    await page.getByTestId('augmentation').selectOption('cached-views');
    const cost = page.getByTestId('augmentation-cost');
    const passes = Number(await cost.getAttribute('data-passes'));
    expect(passes).toBeGreaterThan(Number(await cost.getAttribute('data-plain')));
    await page.getByTestId('early-stopping').check();
    await setField(page, 'early-stopping-patience', '2');
    await train(page);
    // Every photo once, plus each training photo's extra views: exactly the passes the lab announced.
    await expect(page.getByTestId('train-cache')).toHaveAttribute('data-bytes', String(passes * embedding));
    const kept = page.getByTestId('kept-epoch');
    const epoch = Number(await kept.getAttribute('data-value'));
    const ran = Number(await kept.getAttribute('data-ran'));
    expect(epoch).toBeGreaterThanOrEqual(1);
    expect(ran).toBe((await kept.getAttribute('data-stopped')) === 'true' ? epoch + 2 : 12);
    await expect(page.getByTestId('history-chart')).toHaveAttribute('data-kept', String(epoch));
    await expectFrozenProof(page);
  });

  await test.step('random augmentation every batch: no cache at all', async () => {
    await page.getByTestId('early-stopping').uncheck();
    await setField(page, 'learning-rate', '0.001');
    await setField(page, 'epochs', '2');
    await page.getByTestId('augmentation').selectOption('random');
    await train(page);
    await expect(page.getByTestId('train-cache')).toHaveAttribute('data-bytes', '0');
    await expect(page.getByTestId('kept-epoch')).toHaveCount(0);
    await expectFrozenProof(page);
  });

  await test.step('fine-tune block 13 with the base at 1/10 of the head’s rate: the frozen proof holds', async () => {
    await page.getByTestId('augmentation').selectOption('off');
    await page.getByRole('button', { name: /Block 13|Bloco 13/ }).click();
    for (const name of ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']) {
      await page.locator(`[data-testid=layer-row][data-layer="${name}"]`).getByTestId('layer-toggle').check();
    }
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await setField(page, 'epochs', '1');
    await setField(page, 'base-rate', '0.0001');
    await expect(page.getByTestId('base-rate')).toHaveAttribute('data-value', '0.0001');
    await expect(page.getByTestId('rate-advice')).toHaveCount(0);
    await train(page);
    await expect(page.getByTestId('train-cache')).toHaveAttribute('data-layer', 'conv_pw_12_relu');
    await expectFrozenProof(page);
  });

  await test.step('gradual unfreezing: block 13 joins after epoch 1, block 12 after epoch 2, marked on the chart; the rest stays frozen', async () => {
    await page.getByTestId('train-mode').selectOption('gradual');
    await setField(page, 'gradual-every', '1');
    await setField(page, 'gradual-blocks', '2');
    await setField(page, 'epochs', '3');
    await train(page);
    await expect(page.getByTestId('history-chart')).toHaveAttribute('data-unfreezes', '2,3');
    await expect(page.getByTestId('train-cache')).toHaveAttribute('data-layer', 'conv_pw_11_relu');
    await expectFrozenProof(page);
  });
});
