import type { LessonSegment } from './types';

const WIDGET_LINE = /^:::\s*widget\s+(\S+)\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;

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

/** Lines that start like a directive but are not a well-formed widget line (typos such as `:: widget x`). */
export function malformedDirectives(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.replace(/\r\n?/g, '\n').split('\n').forEach((line, i) => {
    const f = FENCE.exec(line);
    if (f) fence = fence === null ? f[1] : fence === f[1] ? null : fence;
    const trimmed = line.trim();
    if (fence === null && /^:{2,}/.test(trimmed) && !WIDGET_LINE.test(trimmed)) out.push({ line: i + 1, text: trimmed });
  });
  return out;
}
