import { createRequire } from 'node:module';
import { test, expect, waitForModel, setField, setUpClasses, photosOf, type Page } from './fixtures';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

type Box = { x: number; y: number; width: number; height: number };

/** The outermost section (a panel) holding a given handle, and its box on screen. */
async function panelBox(page: Page, testId: string): Promise<Box> {
  const box = await page.locator('section').filter({ has: page.getByTestId(testId) }).first().boundingBox();
  expect(box, `the panel around ${testId} is on screen`).not.toBeNull();
  return box!;
}

/** The classes, training and preview panels, found by the handles a learner uses in each. */
const flowPanels = async (page: Page) => [await panelBox(page, 'add-class'), await panelBox(page, 'train'), await panelBox(page, 'predict-upload')];

/** A step header and its state, by its place in the flow. */
const step = (page: Page, n: number) => page.locator(`[data-testid=lab-step][data-step="${n}"]`);

async function openLab(page: Page, lang = 'en'): Promise<void> {
  await page.goto(`./?lang=${lang}#/lab`);
  await expect(step(page, 3)).toBeVisible();
}

/** WCAG relative luminance and contrast of CSS colours, computed in the page from what it actually paints. */
async function colours(page: Page, selector: string, textSelector = selector): Promise<{ bgLum: number; fgLum: number; contrast: number }> {
  return page.evaluate(
    ([sel, textSel]) => {
      const parse = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
      const lum = (css: string) => {
        const [r, g, b] = parse(css).slice(0, 3).map((v) => v / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      /** The first opaque background from the element up to the root: what the text is painted on. */
      const background = (el: Element | null): string => {
        for (; el; el = el.parentElement) {
          const bg = getComputedStyle(el).backgroundColor;
          const alpha = parse(bg)[3];
          if (bg !== 'transparent' && (alpha === undefined || alpha > 0.99)) return bg;
        }
        return 'rgb(255, 255, 255)';
      };
      const el = document.querySelector(sel)!;
      const text = document.querySelector(textSel)!;
      const bgLum = lum(background(el));
      const fgLum = lum(getComputedStyle(text).color);
      const [hi, lo] = bgLum > fgLum ? [bgLum, fgLum] : [fgLum, bgLum];
      return { bgLum, fgLum, contrast: (hi + 0.05) / (lo + 0.05) };
    },
    [selector, textSelector],
  );
}

test('wide screen (1280×800): classes, training and preview run left to right, their columns top-aligned', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openLab(page);
  await waitForModel(page);
  const [classes, train, preview] = await flowPanels(page);
  expect(classes.x + classes.width).toBeLessThanOrEqual(train.x);
  expect(train.x + train.width).toBeLessThanOrEqual(preview.x);
  const tops = await Promise.all([1, 2, 3].map(async (n) => (await step(page, n).boundingBox())!.y));
  expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(4);
  // The three steps begin on the first screen, not below the fold.
  for (const box of [classes, train, preview]) expect(box.y).toBeLessThan(800);
});

test('phone (390×844): the same three panels stack top to bottom, in the same order', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openLab(page);
  await waitForModel(page);
  const [classes, train, preview] = await flowPanels(page);
  expect(classes.y + classes.height).toBeLessThanOrEqual(train.y);
  expect(train.y + train.height).toBeLessThanOrEqual(preview.y);
  // One column: each panel starts at the same left edge and fits the screen.
  for (const box of [train, preview]) expect(Math.abs(box.x - classes.x)).toBeLessThan(2);
  for (const box of [classes, train, preview]) expect(box.x + box.width).toBeLessThanOrEqual(390);
});

for (const scheme of ['dark', 'light'] as const) {
  test(`${scheme} colour scheme from the OS: page, panels and step headers follow it with readable text`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openLab(page);
    const pageColours = await colours(page, 'html', 'body');
    if (scheme === 'dark') {
      expect(pageColours.bgLum).toBeLessThan(0.05);
      expect(pageColours.fgLum).toBeGreaterThan(0.6);
    } else {
      expect(pageColours.bgLum).toBeGreaterThan(0.85);
      expect(pageColours.fgLum).toBeLessThan(0.05);
    }
    expect(pageColours.contrast).toBeGreaterThanOrEqual(4.5);
    const panel = await colours(page, 'section[aria-labelledby=train-heading]', '#train-heading');
    expect(panel.contrast).toBeGreaterThanOrEqual(4.5);
    for (const n of [1, 2, 3]) {
      const header = `[data-testid=lab-step][data-step="${n}"]`;
      expect((await colours(page, header, `${header} p:last-child`)).contrast, `step ${n}'s status`).toBeGreaterThanOrEqual(4.5);
    }
  });
}

for (const scheme of ['dark', 'light'] as const) {
  test(`${scheme}: keyboard focus shows one ring in the --focus colour on buttons, selects, inputs and links, 3:1 against the page`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openLab(page);
    await waitForModel(page);
    const targets = [page.getByTestId('add-class'), page.getByTestId('train-mode'), page.getByTestId('epochs'), page.getByRole('link', { name: 'Lab', exact: true })];
    for (const target of targets) {
      // Reach it with the keyboard, as a learner does: from the element before it.
      await target.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      await expect(target).toBeFocused();
      const ring = await target.evaluate((el) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--focus)';
        document.body.append(probe);
        const focus = getComputedStyle(probe).color;
        probe.remove();
        const style = getComputedStyle(el);
        const lum = (css: string) => {
          const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const [a, b] = [lum(style.outlineColor), lum(getComputedStyle(document.documentElement).backgroundColor)];
        return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor, focus, contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
      });
      expect(ring.style).toBe('solid');
      expect(ring.width).toBeGreaterThanOrEqual(2);
      expect(ring.colour).toBe(ring.focus);
      expect(ring.contrast).toBeGreaterThanOrEqual(3);
    }
  });
}

/** Serious or critical axe violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    type Violation = { id: string; impact: string | null; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

test.describe('axe in the dark', () => {
  // axe is injected as an inline script, which the app's own CSP (rightly) forbids.
  test.use({ bypassCSP: true, colorScheme: 'dark' });
  for (const route of ['#/lab', '#/chapters/backpropagation', '#/chapters/feature-extraction', '#/chapters/layer-freezing']) {
    test(`axe: no serious or critical violations on ${route} in dark mode`, async ({ page }) => {
      await page.goto(`./?lang=pt-BR${route}`);
      await waitForModel(page);
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  test('axe: a checked quiz (right and wrong answers) in dark mode', async ({ page }) => {
    await page.goto('./?lang=en#/chapters/layer-freezing');
    await page.getByTestId('quiz-question').first().getByTestId('quiz-option').first().check();
    await page.getByTestId('quiz-question').nth(1).getByTestId('quiz-option').nth(1).check();
    await page.getByTestId('quiz-submit').click();
    await expect(page.getByTestId('quiz-score')).toBeVisible();
    await waitForModel(page);
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('axe: the lab after a training run (metrics, chart) in dark mode', async ({ page }) => {
    await openLab(page);
    await waitForModel(page);
    await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 2), photosOf('hat').slice(0, 2)]);
    await setField(page, 'epochs', '3');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test('each step says what it needs next: a fresh lab asks for photos, then is ready to train, then to be tried', async ({ page }) => {
  await openLab(page);
  await expect(step(page, 1)).toHaveAttribute('data-state', 'needs-photos');
  await expect(step(page, 1)).toContainText('Add at least 2 photos to each class');
  await expect(step(page, 2)).toHaveAttribute('data-state', 'waiting');
  await expect(step(page, 3)).toHaveAttribute('data-state', 'waiting');
  await expect(step(page, 3)).toContainText('Train first, or try MobileNet’s own 1000 classes');

  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [photosOf('shoes').slice(0, 2), photosOf('hat').slice(0, 2)]);
  await expect(step(page, 1)).toHaveAttribute('data-state', 'done');
  await expect(step(page, 1)).toContainText('4 photos in 2 classes');
  await expect(step(page, 2)).toHaveAttribute('data-state', 'ready');
  await expect(step(page, 2)).toContainText('Ready to train');
  // Fine-tuning's switches are in the layer list below the steps: the header says where.
  await page.getByTestId('train-mode').selectOption('fine-tune');
  await expect(step(page, 2)).toContainText('choose which layers learn in the list below');

  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(step(page, 2)).toHaveAttribute('data-state', 'done');
  await expect(step(page, 3)).toHaveAttribute('data-state', 'ready');
  await expect(step(page, 3)).toContainText('Try a photo or the camera');
});

test('the step headers speak Portuguese in the pt-BR lab', async ({ page }) => {
  await openLab(page, 'pt-BR');
  await expect(step(page, 1)).toContainText('Adicione pelo menos 2 fotos a cada classe');
  await expect(step(page, 3)).toContainText('Treine primeiro');
});
