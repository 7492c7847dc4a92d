import { test, expect, waitForModel, classCard, type Page } from './fixtures';

/** What a student's device brings: a phone's screen and touch, a locale Intl does not know. */
const headerHeight = async (page: Page) => (await page.locator('header').boundingBox())!.height;

test.describe('a phone (390 × 844, touch)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the header is one line on a phone, with backend and language behind one keyboard-reachable button', async ({ page }) => {
    await page.goto('./?lang=pt-BR#/chapters/backpropagation');
    await waitForModel(page);
    expect(await headerHeight(page)).toBeLessThanOrEqual(64);
    // The lesson starts on the first screen, under the header.
    const heading = (await page.locator('main h1').boundingBox())!;
    expect(heading.y + heading.height).toBeLessThan(844);

    const menu = page.getByTestId('header-menu');
    await expect(page.getByTestId('lang')).toBeHidden();
    await expect(page.getByTestId('backend-picker')).toBeHidden();
    // From the keyboard: reach the button, open it, pick a language, close it with Escape.
    await menu.focus();
    await page.keyboard.press('Enter');
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('backend-picker')).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('backend-picker')).toBeFocused();
    await page.getByTestId('lang').selectOption('en');
    await expect(page.locator('main h1')).toHaveText(/Backpropagation/);
    await page.keyboard.press('Escape');
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(menu).toBeFocused();
    await expect(page.getByTestId('lang')).toBeHidden();
    // A tap elsewhere also closes it.
    await menu.tap();
    await expect(page.getByTestId('lang')).toBeVisible();
    await page.locator('main h1').tap();
    await expect(page.getByTestId('lang')).toBeHidden();
  });

  test('the lab on a phone: one-line header, step 1 on the first screen, the steps stacked, hold-to-record by touch', async ({ page }) => {
    await page.goto('./?lang=pt-BR#/lab');
    await waitForModel(page);
    expect(await headerHeight(page)).toBeLessThanOrEqual(64);
    const steps = page.getByTestId('lab-step');
    const boxes = await Promise.all([0, 1, 2].map(async (i) => (await steps.nth(i).boundingBox())!));
    expect(boxes[0].y + boxes[0].height).toBeLessThan(844);
    expect(boxes[0].y).toBeLessThan(boxes[1].y);
    expect(boxes[1].y).toBeLessThan(boxes[2].y);

    await page.getByRole('button', { name: 'Ligar a webcam' }).tap();
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.readyState === 4);
    const capture = classCard(page, 0).getByTestId('capture');
    await expect(capture).toBeEnabled();
    await capture.scrollIntoViewIfNeeded();
    const box = (await capture.boundingBox())!;
    // A finger held on the button: real touch input through the browser (touchstart … touchend), not a click.
    const touch = await page.context().newCDPSession(page);
    await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: box.x + box.width / 2, y: box.y + box.height / 2 }] });
    await expect(capture).toHaveAttribute('data-phase', 'recording');
    // Held past a long press (which a phone may turn into a context menu or a cancelled touch): still recording.
    await page.waitForTimeout(1500);
    await expect(capture).toHaveAttribute('data-phase', 'recording');
    await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect(capture).toHaveAttribute('data-phase', 'idle');
    await expect(capture).toHaveAttribute('data-saving', 'false');
    // 10 frames a second for 1.5 s: a busy machine stores fewer, but a hold is never a single snapshot.
    expect(Number(await classCard(page, 0).getByTestId('sample-count').getAttribute('data-value'))).toBeGreaterThanOrEqual(3);
  });
});

test('a language tag Intl rejects (navigator.language "C", as WebKitGTK reports a POSIX locale) does not take the lab down', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'language', { get: () => 'C', configurable: true }));
  await page.goto('./#/lab');
  await waitForModel(page);
  await expect(page.getByTestId('lab-step').first()).toBeVisible();
  await expect(page.getByTestId('app-error')).toHaveCount(0);
  // The app's own language (pt-BR, the default when the browser's says nothing) formats its numbers.
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
});
