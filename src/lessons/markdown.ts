import katex from 'katex';
import { Marked, type Token, type TokenizerAndRendererExtension, type Tokens } from 'marked';

/**
 * Lesson Markdown → HTML string, with formulas by KaTeX. Pure (no DOM), so lessons:check and the unit
 * tests run it in Node. Raw HTML written in a lesson is shown as text, never as markup; the browser
 * additionally passes the result through DOMPurify (src/ui/chapter/sanitize.ts) before inserting it.
 */

interface MathToken extends Tokens.Generic {
  type: 'mathBlock' | 'mathInline';
  text: string;
  display: boolean;
}

const escapeMap: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => escapeMap[c]);

export function renderMath(tex: string, display: boolean, throwOnError = false): string {
  return katex.renderToString(tex, { displayMode: display, throwOnError, strict: 'ignore', output: 'htmlAndMathml' });
}

const mathBlock: TokenizerAndRendererExtension = {
  name: 'mathBlock',
  level: 'block',
  start: (src) => src.match(/^ {0,3}\$\$/m)?.index,
  tokenizer(src) {
    const m = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src);
    if (m) return { type: 'mathBlock', raw: m[0], text: m[1].trim(), display: true } as MathToken;
    return undefined;
  },
  renderer: (token) => `<div class="math-display">${renderMath(token.text, true)}</div>\n`,
};

const mathInline: TokenizerAndRendererExtension = {
  name: 'mathInline',
  level: 'inline',
  start: (src) => {
    const i = src.indexOf('$');
    return i < 0 ? undefined : i;
  },
  tokenizer(src) {
    const display = /^\$\$([^$]+?)\$\$/.exec(src);
    if (display) return { type: 'mathInline', raw: display[0], text: display[1].trim(), display: true } as MathToken;
    // $x$ — no space just inside the dollars, no backtick (code spans win), no digit right after the closing
    // dollar, so "R$ 5" or "$5 and $6" stay text.
    const m = /^\$(?![\s$])((?:\\.|[^\\\n$`])+?)(?<!\s)\$(?!\d)/.exec(src);
    if (m) return { type: 'mathInline', raw: m[0], text: m[1], display: false } as MathToken;
    return undefined;
  },
  renderer: (token) => renderMath(token.text, (token as MathToken).display),
};

/** Words the renderer itself writes around a check block, in the lesson's language. */
export interface RenderLabels {
  check: string;
  showAnswer: string;
}

export const DEFAULT_LABELS: RenderLabels = { check: 'Check your understanding', showAnswer: 'Show the answer' };
/** Set for the duration of one synchronous render (marked's renderers take no per-call options). */
let labels: RenderLabels = DEFAULT_LABELS;

interface CheckToken extends Tokens.Generic {
  type: 'check';
  question: Token[];
  answer: Token[];
}

/**
 * A "check your understanding" block: `::: check`, the question, `::: answer`, the answer, `:::`, each
 * marker alone on its line. The answer sits in a <details> (native, keyboard-operable disclosure).
 */
const checkBlock: TokenizerAndRendererExtension = {
  name: 'check',
  level: 'block',
  start: (src) => src.match(/^ {0,3}:::[ \t]*check[ \t]*$/m)?.index,
  tokenizer(src) {
    const m = /^ {0,3}:::[ \t]*check[ \t]*\n([\s\S]*?)\n {0,3}:::[ \t]*answer[ \t]*\n([\s\S]*?)\n {0,3}:::[ \t]*(?:\n+|$)/.exec(src);
    if (!m) return undefined;
    const token: CheckToken = { type: 'check', raw: m[0], question: [], answer: [] };
    this.lexer.blockTokens(m[1], token.question);
    this.lexer.blockTokens(m[2], token.answer);
    return token;
  },
  childTokens: ['question', 'answer'],
  renderer(token) {
    const { question, answer } = token as CheckToken;
    return (
      `<div class="check"><p class="check-title">${escapeHtml(labels.check)}</p>\n${this.parser.parse(question)}` +
      `<details class="check-answer"><summary>${escapeHtml(labels.showAnswer)}</summary>\n${this.parser.parse(answer)}</details></div>\n`
    );
  },
};

const SAFE_URL = /^(?:https?:|mailto:|#|\/|\.{1,2}\/|[^:]*$)/i;

const md = new Marked({
  gfm: true,
  extensions: [mathBlock, mathInline, checkBlock],
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      const text = escapeHtml(token.text);
      return 'block' in token && token.block ? `<p>${text}</p>\n` : text;
    },
    link({ href, title, tokens }) {
      const text = this.parser.parseInline(tokens);
      if (!SAFE_URL.test(href.trim())) return text;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t}>${text}</a>`;
    },
    image({ href, title, text }) {
      if (!SAFE_URL.test(href.trim())) return escapeHtml(text);
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}"${t} loading="lazy">`;
    },
  },
});

export function renderMarkdown(source: string, words: RenderLabels = DEFAULT_LABELS): string {
  labels = words;
  try {
    return md.parse(source, { async: false });
  } finally {
    labels = DEFAULT_LABELS;
  }
}

/** For quiz prompts and options: inline Markdown and formulas, no paragraphs. */
export function renderInline(source: string): string {
  return md.parseInline(source, { async: false });
}

export function lexMarkdown(source: string): Token[] {
  return md.lexer(source);
}

export interface MarkdownFacts {
  headings: { depth: number; text: string }[];
  math: { tex: string; display: boolean }[];
  images: { href: string; alt: string }[];
  words: number;
}

/** What the validator needs to know about a piece of Markdown. */
export function inspectMarkdown(source: string): MarkdownFacts {
  const facts: MarkdownFacts = { headings: [], math: [], images: [], words: 0 };
  const tokens = lexMarkdown(source);
  md.walkTokens(tokens, (t) => {
    if (t.type === 'heading') facts.headings.push({ depth: t.depth, text: t.text });
    else if (t.type === 'mathBlock' || t.type === 'mathInline') facts.math.push({ tex: t.text, display: t.display });
    else if (t.type === 'image') facts.images.push({ href: t.href, alt: t.text });
  });
  const prose = source.replace(/^ {0,3}:::.*$/gm, ' ').replace(/\$\$[\s\S]*?\$\$|\$[^$\n]+\$/g, ' ').replace(/[#>*_`|[\]()-]/g, ' ');
  facts.words = prose.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
  return facts;
}

const TEX_SYMBOLS: Record<string, string> = {
  approx: '≈', times: '×', cdot: '·', leftarrow: '←', rightarrow: '→', partial: '∂', odot: '⊙', sum: 'Σ',
  eta: 'η', delta: 'δ', gamma: 'γ', beta: 'β', mu: 'μ', sigma: 'σ', epsilon: 'ε', theta: 'θ', alpha: 'α',
  lambda: 'λ', top: 'ᵀ', ln: 'ln', log: 'log', exp: 'exp', infty: '∞', le: '≤', ge: '≥', neq: '≠',
};

/** A formula as plain text, for accessible names where KaTeX's visual output is hidden from assistive tech. */
export function texToPlain(tex: string): string {
  let s = tex.replace(/\{,\}/g, ',').replace(/\\(?:big|Big|bigg|Bigg|left|right)\b/g, '');
  for (let i = 0; i < 3; i++) {
    s = s
      .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)')
      .replace(/\\sqrt\{([^{}]*)\}/g, '√($1)')
      .replace(/\\hat\{y\}/g, 'ŷ')
      .replace(/\\(?:hat|bar|vec|text|mathrm|mathbf|operatorname|tfrac)\{([^{}]*)\}/g, '$1');
  }
  s = s
    .replace(/\\([a-zA-Z]+)/g, (m, name: string) => (name in TEX_SYMBOLS ? ` ${TEX_SYMBOLS[name]} ` : name))
    .replace(/\\[,;:! ]|\\quad|\\qquad/g, ' ')
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.replace(/\( ([^()]*) \)/g, '($1)');
}

/** Inline Markdown with formulas as plain text (no markup), e.g. for an aria-label. */
export function inlineToPlain(source: string): string {
  return source
    .replace(/\$\$([^$]+)\$\$|\$([^$\n]+)\$/g, (_, a: string | undefined, b: string | undefined) => texToPlain(a ?? b ?? ''))
    .replace(/\*\*|__|`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}
