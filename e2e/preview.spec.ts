import { basename } from 'node:path';
import { test, expect, waitForModel, setField, setUpClasses, photosOf, type Page } from './fixtures';
import { LOW_CONFIDENCE } from '../src/ui/lab/predict/bars';

interface Snapshot {
  answer: number;
  input: string;
  labels: string[];
  tops: string[];
  confidences: number[];
}

/** The bars as they are at one instant: read in one go, so labels, highlight and numbers belong to the same answer. */
const snapshot = (page: Page) =>
  page.evaluate((): Snapshot | null => {
    const box = document.querySelector<HTMLElement>('[data-testid=prediction-bars]');
    if (!box) return null;
    const bars = [...box.querySelectorAll<HTMLElement>('[data-testid=prediction-bar]')];
    return {
      answer: Number(box.dataset.answer),
      input: box.dataset.input ?? '',
      labels: bars.map((b) => b.dataset.label ?? ''),
      tops: bars.filter((b) => b.dataset.top === 'true').map((b) => b.dataset.label ?? ''),
      confidences: bars.map((b) => Number(b.dataset.confidence)),
    };
  });

/** Exactly one bar is highlighted, and it holds the largest probability. */
function checkTop(s: Snapshot): void {
  expect(s.tops).toHaveLength(1);
  const max = Math.max(...s.confidences);
  expect(s.confidences[s.labels.indexOf(s.tops[0])]).toBe(max);
  for (const c of s.confidences) {
    expect(c).toBeGreaterThanOrEqual(0);
    expect(c).toBeLessThanOrEqual(1);
  }
}

test('live prediction keeps one bar per class in the classes\' order for every answer; an uploaded photo shows the same bars', async ({ page }) => {
  const classes = ['shoes', 'hat'];
  // No ?backend=: a student gets the automatic choice.
  await page.goto('./?lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, classes, [photosOf('shoes').slice(0, 8), photosOf('hat').slice(0, 8)]);
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  await setField(page, 'epochs', '5');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  await page.getByRole('button', { name: 'Turn on the webcam' }).click();
  await page.getByTestId('live-toggle').click();
  // Sample the bars until 10 different engine answers have been seen (each answer is numbered on the bars' box).
  const seen = new Map<number, Snapshot>();
  await expect
    .poll(
      async () => {
        const s = await snapshot(page);
        if (s && s.input === 'webcam') seen.set(s.answer, s);
        return seen.size;
      },
      { timeout: 120_000, intervals: [50] },
    )
    .toBeGreaterThanOrEqual(10);
  for (const s of seen.values()) {
    expect(s.labels).toEqual(classes);
    checkTop(s);
  }
  await page.getByTestId('live-toggle').click();
  await expect(page.getByTestId('live-fps')).toHaveCount(0);

  // A shoe and a hat: whichever the model calls them, the bars stay in the classes' order (a ranking would move the winner up).
  const answers: Snapshot[] = [];
  for (const photo of [photosOf('shoes')[12], photosOf('hat')[12]]) {
    await page.getByTestId('predict-upload').setInputFiles(photo);
    await expect(page.getByTestId('prediction-bars')).toHaveAttribute('data-input', basename(photo));
    const uploaded = (await snapshot(page))!;
    answers.push(uploaded);
    expect(uploaded.labels).toEqual(classes);
    checkTop(uploaded);
    const top = page.getByTestId('prediction');
    await expect(top).toHaveAttribute('data-label', uploaded.tops[0]);
    // The box says whether the answer is unsure, by the one threshold the summary line also uses.
    const low = await page.getByTestId('prediction-bars').getAttribute('data-low-confidence');
    expect(low).toBe(String(Math.max(...uploaded.confidences) < LOW_CONFIDENCE));
    if (low === 'true') await expect(top).toContainText('Not sure');
    else await expect(top).not.toContainText('Not sure');
  }
  // The order check above means something only if some answer's winner is not the first class.
  expect([...seen.values(), ...answers].some((s) => s.tops[0] !== classes[0])).toBe(true);
});
