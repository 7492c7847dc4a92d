/**
 * The reader's place in a chapter, independent of the language: the last landmark above the top of the
 * viewport (the n-th lesson heading, a widget, the quiz or one of its questions) and how far into the
 * section after it the reader is. Lessons keep headings and widgets parallel across languages
 * (lessons:check enforces it), so the same landmark exists after a language switch.
 */
export interface Place {
  key: string;
  fraction: number;
}

function landmarks(root: HTMLElement): { key: string; top: number }[] {
  let heading = 0;
  const out: { key: string; top: number }[] = [];
  for (const el of root.querySelectorAll<HTMLElement>('.prose :is(h1, h2, h3, h4), [data-place]')) {
    const key = el.dataset.place ?? `h${heading++}`;
    out.push({ key, top: el.getBoundingClientRect().top + window.scrollY });
  }
  return out;
}

const sectionEnd = (root: HTMLElement, marks: { top: number }[], i: number) =>
  i + 1 < marks.length ? marks[i + 1].top : root.getBoundingClientRect().bottom + window.scrollY;

export function capturePlace(root: HTMLElement): Place | null {
  const y = window.scrollY;
  if (y <= 0) return null;
  const marks = landmarks(root);
  let i = -1;
  for (let k = 0; k < marks.length; k++) if (marks[k].top <= y + 1) i = k;
  if (i < 0) return null;
  const span = Math.max(1, sectionEnd(root, marks, i) - marks[i].top);
  return { key: marks[i].key, fraction: Math.min(1, (y - marks[i].top) / span) };
}

export function restorePlace(root: HTMLElement, place: Place): void {
  const marks = landmarks(root);
  const i = marks.findIndex((m) => m.key === place.key);
  if (i < 0) return;
  const span = sectionEnd(root, marks, i) - marks[i].top;
  window.scrollTo({ top: marks[i].top + place.fraction * span, behavior: 'instant' });
}
