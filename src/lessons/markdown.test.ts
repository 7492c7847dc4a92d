import { describe, expect, it } from 'vitest';
import { inlineToPlain, renderInline, renderMarkdown } from './markdown';
import { checkBlocks, splitLesson } from './parse';

describe('renderMarkdown', () => {
  it('renders formulas with KaTeX, inline and display', () => {
    const html = renderMarkdown('Inline $x^2$.\n\n$$\n\\frac{a}{b}\n$$\n');
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="math-display"');
    expect(html).toContain('<annotation encoding="application/x-tex">\\frac{a}{b}</annotation>');
  });

  it('leaves money and code alone', () => {
    const html = renderMarkdown('Custa R$ 5 ou $5. Código: `$x$`.');
    expect(html).not.toContain('katex');
    expect(html).toContain('<code>$x$</code>');
  });

  it('renders <script> and onerror= in a lesson as inert text', () => {
    const html = renderMarkdown(
      '# Lição\n\n<script>alert(1)</script>\n\nTexto <img src=x onerror="alert(2)"> e <a href="#" onclick="alert(3)">link</a>.\n\n[clique](javascript:alert(4)) ![foto](javascript:alert(5))\n',
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toMatch(/<a[^>]*onclick/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toMatch(/src="javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('keeps safe links and alt text', () => {
    const html = renderMarkdown('[lab](#/lab) [paper](https://arxiv.org/abs/1411.1792) ![a hat](hat.png)');
    expect(html).toContain('<a href="#/lab">lab</a>');
    expect(html).toContain('<a href="https://arxiv.org/abs/1411.1792">paper</a>');
    expect(html).toContain('<img src="hat.png" alt="a hat" loading="lazy">');
  });

  it('renders inline Markdown for quiz text without a paragraph', () => {
    expect(renderInline('**sim** <b onmouseover=x>')).toBe('<strong>sim</strong> &lt;b onmouseover=x&gt;');
  });
});

describe('check blocks', () => {
  const block = '# T\n\n::: check\nHow much is $2 \\cdot 3$?\n::: answer\n**Six**: $6$.\n:::\n\nAfter.\n';

  it('render the question, then the answer inside a keyboard-operable <details>, in the given language', () => {
    const html = renderMarkdown(block, { check: 'Pare e pense', showAnswer: 'Ver a resposta' });
    expect(html).toMatch(/<div class="check"><p class="check-title">Pare e pense<\/p>\n<p>How much is <span class="katex">/);
    expect(html).toMatch(/<details class="check-answer"><summary>Ver a resposta<\/summary>\n<p><strong>Six<\/strong>: <span class="katex">/);
    expect(html).toContain('<p>After.</p>');
    expect(renderMarkdown(block)).toContain('<summary>Show the answer</summary>');
  });

  it('keep raw HTML inside a block inert, and count well-formed blocks', () => {
    const html = renderMarkdown('::: check\n<img src=x onerror=alert(1)>?\n::: answer\n<script>alert(2)</script>\n:::\n');
    expect(html).not.toMatch(/<img|<script/);
    expect(checkBlocks(block)).toEqual({ count: 1, problems: [] });
  });

  it('report blocks missing a part, never closed, or cut by a widget', () => {
    expect(checkBlocks('::: check\nQ?\n:::\n').problems[0].message).toMatch(/no "::: answer"/);
    expect(checkBlocks('::: check\nQ?\n::: answer\nA.\n').problems[0].message).toMatch(/never closed/);
    expect(checkBlocks('::: check\nQ?\n::: answer\n:::\n').problems[0].message).toMatch(/empty answer/);
    expect(checkBlocks('::: check\nQ?\n::: answer\n::: widget layer-list\nA.\n:::\n').problems[0].message).toMatch(/widget cannot sit inside/);
    expect(checkBlocks('```\n::: check\n```\n')).toEqual({ count: 0, problems: [] });
  });
});

describe('splitLesson', () => {
  it('cuts at widget lines, but not inside fenced code', () => {
    const segments = splitLesson('# T\n\nA\n\n::: widget layer-list\n\nB\n\n```\n::: widget backprop-explorer\n```\n');
    expect(segments.map((s) => s.kind)).toEqual(['markdown', 'widget', 'markdown']);
    expect(segments[1]).toEqual({ kind: 'widget', name: 'layer-list' });
    expect(segments[2].kind === 'markdown' && segments[2].source).toContain('::: widget backprop-explorer');
  });
});

describe('inlineToPlain', () => {
  it('turns formulas into readable text for accessible names', () => {
    expect(inlineToPlain('$-\\ln 0{,}25 \\approx 1{,}39$')).toBe('- ln 0,25 ≈ 1,39');
    expect(inlineToPlain('Right: $w \\leftarrow 0.8 - 0.1 \\cdot 2$ **now**')).toBe('Right: w ← 0.8 - 0.1 · 2 now');
    expect(inlineToPlain('$\\frac{a}{b}$ and $\\hat{y}$')).toBe('(a)/(b) and ŷ');
  });
});
