import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, type Page } from './fixtures';
import { parseQuiz } from '../src/lessons/parse';
import type { Quiz, QuizQuestion } from '../src/lessons/types';

/** The quiz as the instructors wrote it: the tests read the right answers from the content files. */
function quizOf(chapter: string, lang: 'pt-BR' | 'en'): Quiz {
  const file = resolve(import.meta.dirname, '..', 'lessons', chapter, `quiz.${lang}.yaml`);
  const parsed = parseQuiz(readFileSync(file, 'utf8'), file);
  expect(parsed.issues).toEqual([]);
  return parsed.value!;
}

const rightIds = (q: QuizQuestion) => q.options.filter((o) => o.correct).map((o) => o.id);
const option = (page: Page, q: string, o: string) => page.locator(`[data-testid="quiz-option"][data-question="${q}"][data-option="${o}"]`);

async function answer(page: Page, quiz: Quiz, pick: (q: QuizQuestion) => string[] = rightIds) {
  for (const q of quiz.questions) for (const o of pick(q)) await option(page, q.id, o).check();
}

async function openChapter(page: Page, chapter: string, lang: 'pt-BR' | 'en') {
  await page.goto(`./?lang=${lang}#/chapters/${chapter}`);
  await expect(page.getByTestId('quiz')).toBeVisible();
}

test('every chapter opens in both languages with its lesson, formulas and quiz', async ({ page }) => {
  for (const chapter of ['backpropagation', 'feature-extraction', 'layer-freezing']) {
    for (const lang of ['pt-BR', 'en'] as const) {
      await openChapter(page, chapter, lang);
      await expect(page.locator('h1')).toHaveCount(1);
      await expect(page.locator('.prose h2').first()).toBeVisible();
      await expect(page.getByTestId('quiz-question')).toHaveCount(quizOf(chapter, lang).questions.length);
      if (chapter !== 'layer-freezing') await expect(page.locator('.prose .katex').first()).toBeVisible();
    }
  }
});

test('a quiz answered all right shows the full score and the success message', async ({ page }) => {
  const quiz = quizOf('backpropagation', 'pt-BR');
  await openChapter(page, 'backpropagation', 'pt-BR');
  await answer(page, quiz);
  await page.getByTestId('quiz-submit').click();
  const score = page.getByTestId('quiz-score');
  await expect(score).toHaveAttribute('data-value', String(quiz.questions.length));
  await expect(score).toHaveAttribute('data-total', String(quiz.questions.length));
  await expect(page.getByTestId('quiz-result')).toHaveAttribute('data-state', 'pass');
  await expect(page.getByTestId('quiz-result')).toContainText('Correto! Siga para o próximo capítulo');
  await expect(page.locator('[data-testid="quiz-feedback"][data-correct="true"]')).toHaveCount(quiz.questions.length);
  await expect(page.getByTestId('quiz-result').getByRole('link')).toHaveAttribute('href', '#/chapters/feature-extraction');
});

test('a wrong answer shows that option’s explanation and “try again”; retrying keeps the right answers', async ({ page }) => {
  const quiz = quizOf('feature-extraction', 'en');
  const first = quiz.questions[0];
  const wrong = first.options.find((o) => !o.correct)!;
  await openChapter(page, 'feature-extraction', 'en');
  await answer(page, quiz, (q) => (q.id === first.id ? [wrong.id] : rightIds(q)));
  await page.getByTestId('quiz-submit').click();

  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', String(quiz.questions.length - 1));
  const question = page.locator(`[data-testid="quiz-question"][data-question="${first.id}"]`);
  await expect(question).toHaveAttribute('data-state', 'wrong');
  await expect(question.getByTestId('quiz-feedback')).toContainText('✗ Not quite — try again');
  const explanation = question.locator(`[data-testid="quiz-explanation"][data-option="${wrong.id}"]`);
  await expect(explanation).toContainText(wrong.explanation.slice(0, 40));
  await expect(explanation).toContainText('✗');
  await expect(page.getByTestId('quiz-result')).toHaveAttribute('data-state', 'fail');
  await expect(page.getByTestId('quiz-result')).toContainText('Not quite — try again');

  await page.getByTestId('quiz-retry').click();
  await expect(option(page, first.id, wrong.id)).not.toBeChecked();
  await expect(option(page, first.id, wrong.id)).toBeFocused();
  const second = quiz.questions[1];
  for (const o of rightIds(second)) await expect(option(page, second.id, o)).toBeChecked();
  for (const o of rightIds(first)) await option(page, first.id, o).check();
  await page.getByTestId('quiz-submit').click();
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', String(quiz.questions.length));
  await expect(page.getByTestId('quiz-result')).toContainText('Correct! Go on to the next chapter');
});

test('the best score survives a reload and shows on the home page', async ({ page }) => {
  const quiz = quizOf('feature-extraction', 'pt-BR');
  const n = quiz.questions.length;
  await openChapter(page, 'feature-extraction', 'pt-BR');
  const last = quiz.questions[n - 1];
  await answer(page, quiz, (q) => (q.id === last.id ? [] : rightIds(q)));
  await page.getByTestId('quiz-submit').click();
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', String(n - 1));
  // A worse attempt does not lower the best score. (Retrying keeps the right answers; spoil one.)
  await page.getByTestId('quiz-retry').click();
  const first = quiz.questions[0];
  await option(page, first.id, first.options.find((o) => !o.correct)!.id).check();
  await page.getByTestId('quiz-submit').click();
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', String(n - 2));

  await page.reload();
  await page.goto('./#/');
  const card = page.locator('[data-testid="chapter-card"][data-chapter="feature-extraction"]');
  await expect(card.getByTestId('chapter-best')).toHaveAttribute('data-value', String(n - 1));
  await expect(card.getByTestId('chapter-best')).toHaveAttribute('data-total', String(n));
  await expect(card).toContainText(`Melhor nota no quiz: ${n - 1} de ${n}`);
  await expect(page.locator('[data-testid="chapter-card"][data-chapter="backpropagation"]')).toContainText('Quiz ainda não feito');

  await card.getByRole('link').click();
  await expect(page.getByTestId('quiz-best')).toHaveAttribute('data-value', String(n - 1));
});

test('when the browser refuses to save progress, the quiz still works and says so', async ({ page }) => {
  await page.addInitScript(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  const quiz = quizOf('layer-freezing', 'en');
  await openChapter(page, 'layer-freezing', 'en');
  await answer(page, quiz);
  await page.getByTestId('quiz-submit').click();
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', String(quiz.questions.length));
  await expect(page.getByTestId('quiz-storage-error')).toContainText('could not be saved');
});

test('the chapter 3 quiz can be completed with the keyboard alone', async ({ page }) => {
  const quiz = quizOf('layer-freezing', 'en');
  await openChapter(page, 'layer-freezing', 'en');
  const active = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { testid: el?.dataset.testid ?? '', question: el?.dataset.question ?? '', option: el?.dataset.option ?? '' };
    });

  // Tab through the page (links, widgets) until the first answer has focus.
  for (let i = 0; i < 300 && (await active()).question !== quiz.questions[0].id; i++) await page.keyboard.press('Tab');
  for (const q of quiz.questions) {
    expect((await active()).question, `focus reached question ${q.id}`).toBe(q.id);
    const ids = q.options.map((o) => o.id);
    if (q.type === 'single') {
      // A radio group: arrow keys move and select; Space selects the focused one.
      const target = ids.indexOf(rightIds(q)[0]);
      let at = ids.indexOf((await active()).option);
      if (at === target) await page.keyboard.press('Space');
      while (at < target) {
        await page.keyboard.press('ArrowDown');
        at++;
      }
      await expect(option(page, q.id, ids[target])).toBeChecked();
      await page.keyboard.press('Tab');
    } else {
      // Checkboxes: one tab stop each; Space toggles.
      for (const o of q.options) {
        expect((await active()).option).toBe(o.id);
        if (o.correct) await page.keyboard.press('Space');
        await page.keyboard.press('Tab');
      }
    }
  }
  expect((await active()).testid).toBe('quiz-submit');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', String(quiz.questions.length));
  await expect(page.getByTestId('quiz-result')).toBeFocused();
  await expect(page.getByTestId('quiz-result')).toContainText('Correct!');
});

test('switching language keeps the chapter, the reading position and the chosen answers', async ({ page }) => {
  await openChapter(page, 'layer-freezing', 'pt-BR');
  await expect(page.locator('h1')).toContainText('Congelamento de camadas');
  const q = quizOf('layer-freezing', 'pt-BR').questions[0];
  await option(page, q.id, rightIds(q)[0]).check();

  const heading = 5;
  await page.locator('.prose :is(h2, h3)').nth(heading).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, 120));
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
  const before = await page.locator('.prose :is(h2, h3)').nth(heading).boundingBox();

  await page.getByTestId('lang').selectOption('en');
  await expect(page.locator('h1')).toContainText('Layer freezing');
  await expect(page).toHaveURL(/#\/chapters\/layer-freezing$/);
  const after = await page.locator('.prose :is(h2, h3)').nth(heading).boundingBox();
  // The same section is at the top of the viewport, about as far scrolled into it as before.
  expect(after!.y).toBeLessThanOrEqual(10);
  expect(after!.y).toBeGreaterThan(before!.y - 250);
  await expect(option(page, q.id, rightIds(q)[0])).toBeChecked();

  await page.goto('./?lang=en#/chapters/backpropagation');
  await expect(page.locator('h1')).toContainText('Backpropagation');
});

test('check-your-understanding pauses show the question and open their answer from the keyboard', async ({ page }) => {
  for (const lang of ['pt-BR', 'en'] as const) {
    await openChapter(page, 'backpropagation', lang);
    await expect(page.locator('.prose .check')).toHaveCount(4);
  }
  const check = page.locator('.prose .check').first();
  await expect(check.locator('.check-title')).toHaveText('Check your understanding');
  await expect(check).toContainText('If the target were');
  const answer = check.locator('details.check-answer');
  await expect(answer).not.toHaveAttribute('open');
  await expect(answer.getByText('The loss would be the same')).toBeHidden();
  await answer.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(answer).toHaveAttribute('open');
  await expect(answer.getByText('The loss would be the same')).toBeVisible();
  await page.keyboard.press('Space');
  await expect(answer).not.toHaveAttribute('open');
});

test.describe('sanitising', () => {
  // Route interception must see the lesson chunks, so no service worker may answer them from its cache.
  test.use({ serviceWorkers: 'block' });

  test('a malicious lesson and quiz go through the app’s own rendering and come out inert', async ({ page }) => {
    const lesson = [
      '# Lição maliciosa',
      '<script>window.__pwned = 1</script>',
      'Texto <img src="x" onerror="window.__pwned = 2"> e <a href="#" onclick="window.__pwned = 3">link</a>.',
      '[clique](javascript:window.__pwned=4) e $x^2$.',
      '<iframe src="javascript:window.__pwned=5"></iframe>',
      // GFM task lists make the Markdown renderer itself emit <input>; only the sanitiser removes it.
      '- [x] uma tarefa com caixa de seleção',
      '::: check\nPergunta <img src=x onerror="window.__pwned = 6">?\n::: answer\nResposta <script>window.__pwned = 7</script>.\n:::',
    ].join('\n\n');
    const quiz = {
      questions: [
        {
          id: 'evil',
          type: 'single',
          prompt: '**Qual?** <img src=x onerror="window.__pwned = 8">',
          options: [
            { id: 'a', text: 'Sim <b onmouseover="window.__pwned = 9">negrito</b>', correct: true, explanation: '[x](javascript:window.__pwned=10)' },
            { id: 'b', text: 'Não', correct: false, explanation: 'Porque não.' },
          ],
        },
      ],
    };
    // The app fetches each lesson and quiz as its own chunk; swap the English ones for hostile content.
    const module = (value: unknown) => ({ contentType: 'text/javascript', body: `export default ${JSON.stringify(value)};` });
    await page.route(/\/assets\/lesson\.en-[^/]+\.js$/, (route) => route.fulfill(module(lesson)));
    await page.route(/\/assets\/quiz\.en-[^/]+\.js$/, (route) => route.fulfill(module(quiz)));

    await openChapter(page, 'backpropagation', 'en');
    await expect(page.locator('h1')).toHaveText('Lição maliciosa');
    const article = page.locator('article.chapter');
    await expect(article.locator('.prose')).toContainText('<script>window.__pwned = 1</script>');
    await expect(article.locator('.prose')).toContainText('<iframe src="javascript:window.__pwned=5"></iframe>');
    await expect(article.locator('.prose .katex math')).toHaveCount(1);
    await expect(article.locator('.prose')).toContainText('uma tarefa com caixa de seleção');
    await expect(article.locator('.prose .check')).toContainText('Pergunta <img src=x onerror="window.__pwned = 6">?');
    await expect(page.getByTestId('quiz-question')).toContainText('<img src=x onerror="window.__pwned = 8">');

    await option(page, 'evil', 'a').hover();
    await option(page, 'evil', 'a').check();
    await page.getByTestId('quiz-submit').click();
    await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-value', '1');
    await article.locator('.prose details summary').click();
    await expect(
      article.locator('.prose :is(script, iframe, input, form, button, [onerror], [onclick], [onmouseover], [href^="javascript"], [src^="javascript"])'),
    ).toHaveCount(0);
    await expect(page.getByTestId('quiz').locator('[onerror], [onmouseover], [href^="javascript"], script')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});
