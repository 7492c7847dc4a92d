import { createRequire } from 'node:module';
import { test, expect, waitForModel, type Page } from './fixtures';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

// axe is injected as an inline script, which the app's own CSP (rightly) forbids.
test.use({ bypassCSP: true });

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const pages: { route: string; ready: (page: Page) => Promise<void> }[] = [
  { route: '#/', ready: (p) => expect(p.getByTestId('chapter-card').first()).toBeVisible() },
  ...['backpropagation', 'feature-extraction', 'layer-freezing'].map((id) => ({
    route: `#/chapters/${id}`,
    ready: (p: Page) => expect(p.getByTestId('quiz')).toBeVisible(),
  })),
  { route: '#/lab', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
];

for (const lang of ['pt-BR', 'en']) {
  for (const { route, ready } of pages) {
    test(`axe: no serious or critical violations on ${route} (${lang})`, async ({ page }) => {
      await page.goto(`./?lang=${lang}${route}`);
      await ready(page);
      // Scan the full page: with the model in, the layer lists and widgets have rendered too.
      await waitForModel(page);
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
}

test('axe: a checked quiz with right and wrong answers has no serious or critical violations', async ({ page }) => {
  await page.goto('./?lang=pt-BR#/chapters/layer-freezing');
  const options = page.getByTestId('quiz-question').first().getByTestId('quiz-option');
  await options.first().check();
  await page.getByTestId('quiz-question').nth(1).getByTestId('quiz-option').first().check();
  await page.getByTestId('quiz-submit').click();
  await expect(page.getByTestId('quiz-score')).toBeVisible();
  await waitForModel(page);
  expect(await seriousViolations(page)).toEqual([]);
});
