import DOMPurify from 'dompurify';

/**
 * Last gate before `{@html}`: the Markdown renderer already shows raw HTML as text; this removes anything
 * executable that could still slip through (event handlers, javascript: URLs, scripts), keeping KaTeX's
 * HTML and MathML.
 */
export const SANITIZE_CONFIG = {
  USE_PROFILES: { html: true, mathMl: true, svg: true },
  ADD_TAGS: ['semantics', 'annotation'],
  ADD_ATTR: ['encoding'],
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'],
};

export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, SANITIZE_CONFIG) as string;
}
