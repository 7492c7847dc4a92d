import * as tf from '@tensorflow/tfjs';

/** tfjs-backend-webgl's own context attributes (canvas_util.ts), so our context is the one it would have made. */
const attributes = (): WebGLContextAttributes => ({
  alpha: false,
  antialias: false,
  premultipliedAlpha: false,
  preserveDrawingBuffer: false,
  depth: false,
  stencil: false,
  failIfMajorPerformanceCaveat: !tf.env().getBool('SOFTWARE_WEBGL_ENABLED'),
});

/**
 * In a worker, the engine makes the WebGL2 context itself on an OffscreenCanvas and hands it to tfjs. tfjs 4.22
 * refuses OffscreenCanvas wherever it takes the browser for Safari ("Cannot create a canvas in this context"),
 * because Safari's offscreen WebGL did not support fences; so in WebKit the fence flag goes off (tfjs then polls a
 * query or reads at once). Every other worker takes the same path, so the path Safari needs is the one every
 * browser tests.
 * Returns the browser's reason when it gives no context (its `webglcontextcreationerror` message, or '' if it
 * said nothing); null when the context is set, or where tfjs makes its own (a page with a document, no OffscreenCanvas).
 */
export function provideWebGLContext(): { detail: string } | null {
  if (provided || typeof document !== 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  const canvas = new OffscreenCanvas(300, 150);
  let detail = '';
  canvas.addEventListener('webglcontextcreationerror', (e) => (detail = (e as WebGLContextEvent).statusMessage ?? ''));
  // As tfjs does: a lost context is not restored by the browser's default, and tfjs makes a new one.
  canvas.addEventListener('webglcontextlost', (e) => e.preventDefault());
  const gl = canvas.getContext('webgl2', attributes());
  if (!gl) return { detail };
  if (isWebKit()) tf.env().set('WEBGL_FENCE_API_ENABLED', false);
  tf.setWebGLContext(2, gl);
  provided = true;
  return null;
}

/** Safari and every WebKit browser: tfjs' IS_SAFARI reads navigator.vendor, which WebKit's workers leave null. */
function isWebKit(): boolean {
  const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent;
  return /AppleWebKit/.test(ua) && !/Chrome|Chromium|CriOS|Edg|OPR/.test(ua);
}

/** Once per worker: tfjs keeps the context for the backend's life, and browsers allow only a few contexts. */
let provided = false;
