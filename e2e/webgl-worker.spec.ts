import { test, expect, waitForModel, setField, setUpClasses, photosOf } from './fixtures';

/**
 * WebGL inside the engine's worker runs on the WebGL2 context the engine makes itself on an OffscreenCanvas
 * (src/ml/webgl-context.ts: the path Safari needs, taken by every browser). WebKit's worker: scripts/webkit-webgl.mjs.
 */
test('webgl in the worker, on the engine\'s own context: the self-test passes, the head trains and answers', async ({ page }) => {
  await page.goto('./?backend=webgl&lang=en#/lab');
  expect(await waitForModel(page)).toBe('webgl');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-engine', 'worker');
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 2), photosOf('hat').slice(0, 2)]);
  await setField(page, 'epochs', '2');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done');
  await page.getByTestId('predict-upload').setInputFiles(photosOf('hat')[9]);
  await expect(page.locator('[data-testid=prediction][data-input]').first()).toHaveAttribute('data-label', /^(shoes|hat)$/);
});
