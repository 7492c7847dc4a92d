// The Content-Security-Policy of the built app: the meta tag in dist/index.html (CSP_META) and, for servers and the
// service worker, the policy as a header (HEADER_CSP) together with the cross-origin isolation headers.
// 'wasm-unsafe-eval' lets the WASM backend compile its binary; styles allow inline for KaTeX's and Svelte's style attributes.
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];
export const CSP = DIRECTIVES.join('; ');
/** The meta tag: manifest-src only in the header (WebKit rejects it, logging "Unrecognized … directive" on every page). */
export const CSP_META = DIRECTIVES.filter((d) => !d.startsWith('manifest-src')).join('; ');
/**
 * The header form, which also reaches the engine's worker (a meta tag governs only its page): the wasm backend's
 * threads are classic workers from blob: URLs (worker-src) that importScripts a blob: copy of the backend
 * (script-src). Only script already running on this origin can mint a blob: URL, and the page itself stays under the
 * meta tag's stricter policy (both apply to it), so this lets nothing in that was kept out.
 */
export const HEADER_CSP = CSP.replace("script-src 'self'", "script-src 'self' blob:").replace("worker-src 'self'", "worker-src 'self' blob:");

/**
 * Cross-origin isolation (SharedArrayBuffer, so the wasm backend can run threads): COOP same-origin + COEP
 * require-corp (Safari has no credentialless; every resource of the app is same-origin, so it refuses nothing).
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** What a server sends with every response (README), and what the service worker adds where a host sent none. */
export const SERVER_HEADERS = { 'Content-Security-Policy': HEADER_CSP, ...ISOLATION_HEADERS };
