import type { LessonSegment } from './types';

const WIDGET_LINE = /^:::\s*widget\s+(\S+)\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;
/** The three lines of a "check your understanding" block: `::: check`, `::: answer`, `:::`. */
const CHECK_LINE = /^:::\s*(check|answer)?\s*$/;

/**
 * Cut a lesson into Markdown and widget segments. A widget line is `::: widget <name>` alone on its
 * line, outside fenced code. Names are kept as written; validation checks them.
 */
export function splitLesson(markdown: string): LessonSegment[] {
  const segments: LessonSegment[] = [];
  let buffer: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const source = buffer.join('\n');
    if (source.trim()) segments.push({ kind: 'markdown', source });
    buffer = [];
  };
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const f = FENCE.exec(line);
    if (f) fence = fence === null ? f[1] : fence === f[1] ? null : fence;
    const w = fence === null ? WIDGET_LINE.exec(line.trim()) : null;
    if (w) {
      flush();
      segments.push({ kind: 'widget', name: w[1] });
    } else {
      buffer.push(line);
    }
  }
  flush();
  return segments;
}

/** Lines that start like a directive but are neither a widget line nor a check-block line (typos such as `:: widget x`). */
export function malformedDirectives(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.replace(/\r\n?/g, '\n').split('\n').forEach((line, i) => {
    const f = FENCE.exec(line);
    if (f) fence = fence === null ? f[1] : fence === f[1] ? null : fence;
    const trimmed = line.trim();
    if (fence === null && /^:{2,}/.test(trimmed) && !WIDGET_LINE.test(trimmed) && !CHECK_LINE.test(trimmed)) out.push({ line: i + 1, text: trimmed });
  });
  return out;
}

export interface CheckBlocks {
  /** Well-formed `::: check` … `::: answer` … `:::` blocks. */
  count: number;
  problems: { line: number; message: string }[];
}

/**
 * The "check your understanding" blocks of a lesson (a question, then its answer hidden until the reader
 * opens it; rendered by markdown.ts). Each must have both parts, in order, with text in each, and no widget
 * inside (a widget line would cut the block in two).
 */
export function checkBlocks(markdown: string): CheckBlocks {
  const result: CheckBlocks = { count: 0, problems: [] };
  let fence: string | null = null;
  let state: 'out' | 'question' | 'answer' = 'out';
  let opened = 0;
  let text = 0;
  markdown.replace(/\r\n?/g, '\n').split('\n').forEach((line, i) => {
    const f = FENCE.exec(line);
    if (f) fence = fence === null ? f[1] : fence === f[1] ? null : fence;
    const trimmed = line.trim();
    const m = fence === null ? CHECK_LINE.exec(trimmed) : null;
    const at = i + 1;
    if (!m) {
      if (state !== 'out' && fence === null && WIDGET_LINE.test(trimmed)) {
        result.problems.push({ line: at, message: `a widget cannot sit inside the check block opened on line ${opened}` });
      }
      if (trimmed) text++;
      return;
    }
    const kind = m[1] ?? 'close';
    if (kind === 'check') {
      if (state !== 'out') result.problems.push({ line: opened, message: 'this check block is not closed with ":::" before the next "::: check"' });
      state = 'question';
      opened = at;
      text = 0;
    } else if (kind === 'answer') {
      if (state !== 'question') result.problems.push({ line: at, message: '"::: answer" must follow a "::: check" question' });
      else if (!text) result.problems.push({ line: opened, message: 'the check block has no question before "::: answer"' });
      state = state === 'question' ? 'answer' : state;
      text = 0;
    } else if (state === 'answer') {
      if (!text) result.problems.push({ line: opened, message: 'the check block has an empty answer' });
      else result.count++;
      state = 'out';
    } else {
      result.problems.push({ line: at, message: state === 'question' ? 'the check block has no "::: answer" part' : '":::" closes nothing here' });
      state = 'out';
    }
  });
  if (state !== 'out') result.problems.push({ line: opened, message: 'this check block is never closed with ":::"' });
  return result;
}
