import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, validateLessons } from './validate';

const chaptersYaml = `chapters:
  - id: demo
    title: { pt-BR: Demonstração, en: Demo }
    summary: { pt-BR: Um capítulo de teste., en: A test chapter. }
`;

const check = '::: check\nQuanto é $2 + 2$?\n::: answer\nQuatro.\n:::\n';
const lesson = (title: string) => `# ${title}\n\nTexto com $x^2$.\n\n${check}\n## Parte\n\n::: widget layer-list\n\nMais texto.\n\n${check}`;

function quiz(opts: { firstId?: string; explanation?: boolean; correct?: [boolean, boolean]; type?: string } = {}) {
  const { firstId = 'q1', explanation = true, correct = [true, false], type = 'single' } = opts;
  // Right answers spread over positions and sets, as the anti-gaming rules require.
  const more = [
    ['q2', 'single', [false, true, false]],
    ['q3', 'single', [false, false, true]],
    ['q4', 'multiple', [true, false, true]],
    ['q5', 'multiple', [false, true, true]],
  ]
    .map(
      ([id, kind, flags]) => `  - id: ${id}
    type: ${kind}
    prompt: Pergunta ${id}
    options:
${(flags as boolean[]).map((c, i) => `      - { id: ${'abc'[i]}, text: Opção ${i}, correct: ${c}, explanation: Porque. }\n`).join('')}`,
    )
    .join('');
  return `questions:
  - id: ${firstId}
    type: ${type}
    prompt: Primeira pergunta?
    options:
      - id: a
        text: Opção A
        correct: ${correct[0]}
${explanation ? '        explanation: Explicação A.\n' : ''}      - id: b
        text: Opção B
        correct: ${correct[1]}
        explanation: Explicação B.
${more}`;
}

function files(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    '/lessons/chapters.yaml': chaptersYaml,
    '/lessons/demo/lesson.pt-BR.md': lesson('Demonstração'),
    '/lessons/demo/lesson.en.md': lesson('Demo'),
    '/lessons/demo/quiz.pt-BR.yaml': quiz(),
    '/lessons/demo/quiz.en.yaml': quiz(),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

const messages = (f: Record<string, string>) => validateLessons(f).issues.map(formatIssue);

describe('validateLessons', () => {
  it('accepts a well-formed chapter', () => {
    const r = validateLessons(files());
    expect(r.issues).toEqual([]);
    expect(r.chapters).toBe(1);
    expect(r.questions).toBe(5);
    expect(r.widgets).toBe(1);
  });

  it('fails on an option with no explanation, naming the file, question and option', () => {
    const m = messages(files({ '/lessons/demo/quiz.en.yaml': quiz({ explanation: false }) }));
    expect(m).toContain('lessons/demo/quiz.en.yaml [question q1, option a]: explanation is missing');
  });

  it('fails when question ids differ between languages', () => {
    const m = messages(files({ '/lessons/demo/quiz.en.yaml': quiz({ firstId: 'q-renamed' }) }));
    expect(m.some((x) => x.startsWith('lessons/demo/quiz.en.yaml: question ids do not match') && x.includes('missing q1'))).toBe(true);
  });

  it('fails when option ids or correct flags differ between languages', () => {
    const swapped = quiz().replace('id: b\n        text: Opção B', 'id: c\n        text: Opção B');
    expect(messages(files({ '/lessons/demo/quiz.en.yaml': swapped })).join('\n')).toMatch(/question q1\]: option ids \[a, c\] do not match \[a, b\]/);
    const m = messages(files({ '/lessons/demo/quiz.en.yaml': quiz({ type: 'multiple', correct: [true, true] }) }));
    expect(m.join('\n')).toMatch(/type is multiple here but single/);
    expect(m.join('\n')).toMatch(/option b\]: marked correct here but wrong/);
  });

  it('requires exactly one correct option in a single-choice question and at least one in a multiple', () => {
    expect(messages(files({ '/lessons/demo/quiz.en.yaml': quiz({ correct: [true, true] }) })).join('\n')).toMatch(
      /question q1\]: a single-choice question needs exactly one correct option \(found 2\)/,
    );
    expect(messages(files({ '/lessons/demo/quiz.en.yaml': quiz({ correct: [false, false], type: 'multiple' }) })).join('\n')).toMatch(
      /question q1\]: a multiple-choice question needs at least one correct option/,
    );
  });

  it('fails when a language is missing', () => {
    expect(messages(files({ '/lessons/demo/lesson.en.md': undefined }))).toContain('lessons/demo/lesson.en.md: missing: chapter "demo" has no en lesson');
    expect(messages(files({ '/lessons/demo/quiz.pt-BR.yaml': undefined }))).toContain('lessons/demo/quiz.pt-BR.yaml: missing: chapter "demo" has no pt-BR quiz');
  });

  it('rejects unknown widgets, misspelled fields, bad headings, broken formulas and too few questions', () => {
    const bad = '# T\n\n### Skipped a level\n\n::: widget coming-soon\n\n:: widget layer-list\n\n$\\frac{1}$\n';
    const m = messages(files({ '/lessons/demo/lesson.en.md': bad })).join('\n');
    expect(m).toMatch(/\[widget coming-soon\]: unknown widget/);
    expect(m).toMatch(/\[line 7\]: ":: widget layer-list" is not a widget line/);
    expect(m).toMatch(/jumps from h1 to h3/);
    expect(m).toMatch(/KaTeX cannot render/);
    expect(m).toMatch(/headings differ/);
    const typo = quiz().replace('explanation: Explicação B.', 'explanaton: Explicação B.');
    expect(messages(files({ '/lessons/demo/quiz.en.yaml': typo })).join('\n')).toMatch(/option b\]: unknown field "explanaton"/);
    const short = quiz().split('  - id: q3')[0];
    expect(messages(files({ '/lessons/demo/quiz.en.yaml': short, '/lessons/demo/quiz.pt-BR.yaml': short })).join('\n')).toMatch(/at least 5/);
  });

  it('reports invalid YAML and unlisted folders', () => {
    expect(messages(files({ '/lessons/demo/quiz.en.yaml': 'questions: [\n' })).join('\n')).toMatch(/quiz\.en\.yaml: not valid YAML/);
    expect(messages(files({ '/lessons/other/lesson.en.md': '# X' })).join('\n')).toMatch(/folder "other" is not listed/);
  });
});

describe('quizzes that cannot be gamed', () => {
  const q = (id: string, type: string, flags: boolean[], texts = ['Uma opção', 'Outra opção', 'Mais uma']) => `  - id: ${id}
    type: ${type}
    prompt: Pergunta?
    options:
${flags.map((c, i) => `      - { id: ${'abcd'[i]}, text: ${texts[i]}, correct: ${c}, explanation: Porque. }\n`).join('')}`;
  const both = (text: string) => ({ '/lessons/demo/quiz.pt-BR.yaml': text, '/lessons/demo/quiz.en.yaml': text });
  const A = [true, false, false];

  it('rejects right answers piled on one position', () => {
    const text = `questions:\n${['q1', 'q2', 'q3', 'q4', 'q5'].map((id, i) => q(id, 'single', i < 3 ? A : [false, true, false])).join('')}`;
    const m = messages(files(both(text)));
    expect(m).toContain('lessons/demo/quiz.pt-BR.yaml: the right answer is option a in 3 of 5 single-choice questions; spread the right answers over the positions (at most 50% at one position)');
    expect(m.join('\n')).toMatch(/use only positions a, b; use at least 3 different positions/);
  });

  it('rejects two multiple-answer questions with the same right set', () => {
    const text = `questions:\n${q('q1', 'single', A)}${q('q2', 'single', [false, true, false])}${q('q3', 'single', [false, false, true])}${q('q4', 'multiple', [true, false, true])}${q('q5', 'multiple', [true, false, true])}`;
    expect(messages(files(both(text)))).toContain('lessons/demo/quiz.pt-BR.yaml: 2 multiple-answer questions have the same right options (a+c); vary which options are right');
  });

  it('rejects a right option that is systematically the longest', () => {
    const long = (i: number) => ['Não', 'Talvez', 'Sim'].map((t, k) => (k === i ? 'A resposta certa, bem mais comprida que as outras' : t));
    const text = `questions:\n${[0, 1, 2, 0, 1].map((at, i) => q(`q${i + 1}`, 'single', [0, 1, 2].map((k) => k === at), long(at))).join('')}`;
    const m = messages(files(both(text))).join('\n');
    expect(m).toMatch(/quiz\.en\.yaml: the right option is the longest in 5 of 5 single-choice questions/);
    expect(m).toMatch(/right options are on average \d+\.\d\d× as long as wrong ones/);
  });

  it('rejects absolute words that mark the wrong options, in each language', () => {
    // Right answers at a, b, c, a, b; the two wrong options of every question carry the wording under test.
    const text = ([w1, w2, right]: string[]) =>
      `questions:\n${[0, 1, 2, 0, 1].map((at, i) => q(`q${i + 1}`, 'single', [0, 1, 2].map((k) => k === at), [0, 1, 2].map((k) => (k === at ? right : k === (at + 1) % 3 ? w1 : w2)))).join('')}`;
    const en = text(['The rate is just too small', 'It never converges', 'Lower the rate']);
    const pt = text(['A taxa é só pequena demais', 'Ele nunca converge', 'Baixe a taxa']);
    const m = messages(files({ '/lessons/demo/quiz.pt-BR.yaml': pt, '/lessons/demo/quiz.en.yaml': en })).join('\n');
    expect(m).toMatch(/quiz\.en\.yaml: 10 wrong options use absolute words \(always, never, only, just, harmless…\) but only 0 right ones do/);
    expect(m).toMatch(/quiz\.pt-BR\.yaml: 10 wrong options use absolute words/);
    // Inside a longer word ("Justify") nothing counts, and an absolute word in a right option balances one in a wrong option.
    const fair = text(['Justify the rate', 'It never converges', 'Only the head learns']);
    const r = validateLessons(files({ '/lessons/demo/quiz.en.yaml': fair, '/lessons/demo/quiz.pt-BR.yaml': pt.replace(/Baixe a taxa/g, 'Só a cabeça aprende') }));
    expect(r.quizStats.demo.en?.absolute).toEqual({ right: 5, wrong: 5 });
    expect(r.quizStats.demo['pt-BR']?.absolute).toEqual({ right: 5, wrong: 10 });
    expect(r.issues.map(formatIssue).join('\n')).toMatch(/quiz\.pt-BR\.yaml: 10 wrong options use absolute words \(always, never, only, just, harmless…\) but only 5 right ones do/);
    expect(r.issues.map(formatIssue).join('\n')).not.toMatch(/quiz\.en\.yaml: \d+ wrong options use absolute words/);
  });

  it('reports each quiz distribution', () => {
    const r = validateLessons(files());
    expect(r.quizStats.demo['pt-BR']).toMatchObject({ singlePositions: { a: 1, b: 1, c: 1 }, multipleSets: ['a+c', 'b+c'], singles: 3 });
  });
});

describe('check blocks in lessons', () => {
  it('requires at least two, well-formed, and the same number in every language', () => {
    const one = '# Demo\n\n::: check\nQ?\n::: answer\nA.\n:::\n\n## Parte\n\n::: widget layer-list\n';
    const m = messages(files({ '/lessons/demo/lesson.en.md': one })).join('\n');
    expect(m).toMatch(/lesson\.en\.md: has 1 "check your understanding" block; each lesson needs at least 2/);
    expect(m).toMatch(/lesson\.en\.md: has 1 check blocks but lessons\/demo\/lesson\.pt-BR\.md has 2/);
    const open = '# Demo\n\n::: check\nQ?\n\n## Parte\n\n::: widget layer-list\n';
    expect(messages(files({ '/lessons/demo/lesson.en.md': open })).join('\n')).toMatch(/\[line 3\]: this check block is never closed/);
  });
});

describe('the real lessons', () => {
  it('pass lessons:check', () => {
    const root = join(import.meta.dirname, '../../lessons');
    const all: Record<string, string> = { '/lessons/chapters.yaml': readFileSync(join(root, 'chapters.yaml'), 'utf8') };
    for (const dir of readdirSync(root)) {
      if (!statSync(join(root, dir)).isDirectory()) continue;
      for (const f of readdirSync(join(root, dir))) all[`/lessons/${dir}/${f}`] = readFileSync(join(root, dir, f), 'utf8');
    }
    const r = validateLessons(all);
    expect(r.issues.map(formatIssue)).toEqual([]);
    expect(r.chapters).toBe(3);
    expect(r.questions).toBeGreaterThanOrEqual(18);
  });
});
