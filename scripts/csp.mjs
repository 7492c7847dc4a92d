// The Content-Security-Policy of the built app: the meta tag in dist/index.html and the header README recommends.
// 'wasm-unsafe-eval' lets the WASM backend compile its binary; styles allow inline for KaTeX's and Svelte's style attributes.
export const CSP = [
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
].join('; ');
