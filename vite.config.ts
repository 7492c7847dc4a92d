import { readdirSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { CSP_META, SERVER_HEADERS } from './scripts/csp.mjs';
import { lessonsYaml } from './scripts/vite-plugin-lessons';
import { wasmThreads } from './scripts/vite-plugin-wasm-threads';

/**
 * The production page carries its Content-Security-Policy (dev keeps Vite's inline client working), and dist/_headers
 * tells hosts that read one (Netlify, Cloudflare Pages) to send README's headers with every file.
 */
const cspMeta = (): Plugin => ({
  name: 'transfer-lab-csp',
  apply: 'build',
  transformIndexHtml: (html) =>
    html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP_META}" />`),
  generateBundle() {
    const lines = Object.entries(SERVER_HEADERS).map(([name, value]) => `  ${name}: ${value}`);
    this.emitFile({ type: 'asset', fileName: '_headers', source: ['/*', ...lines, ''].join('\n') });
  },
});

/** The benchmark's own workers (src/bench/*.worker.ts): built for bench.html, never precached for learners. */
const benchWorkers = readdirSync(new URL('./src/bench', import.meta.url))
  .filter((f) => f.endsWith('.worker.ts'))
  .map((f) => `**/${f.replace(/\.ts$/, '')}-*`);

// base './' makes every URL relative, so dist/ works from any sub-path with no server rewrites.
export default defineConfig({
  base: process.env.BASE_PATH ?? './',
  plugins: [
    svelte(),
    cspMeta(),
    lessonsYaml(),
    wasmThreads(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // Our own worker (src/sw.ts): Workbox's precaching and routing, plus COOP/COEP for cross-origin isolation.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Transfer Lab',
        short_name: 'Transfer Lab',
        description: 'Aprenda transfer learning no navegador — learn transfer learning in the browser.',
        lang: 'pt-BR',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#f7f8fa',
        theme_color: '#1f4e79',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        // App shell, every lesson (bundled into JS chunks), KaTeX fonts, wasm binaries, the whole model and the
        // sample photos the chapter experiments use (~36 small JPEGs), so a first visit is enough to work offline.
        // The default base (0.25, 1.9 MB) is precached; the larger 0.75 base (10 MB) is cached when first chosen (sw.ts).
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,woff2}', 'assets/imagenet_classes.json', 'assets/models/mobilenet_v1_0.25_224/*', 'assets/samples/**/*.{jpg,json}'],
        globIgnores: ['**/bench*', ...benchWorkers],
        maximumFileSizeToCacheInBytes: 20 * 1024 * 1024,
      },
    }),
  ],
  // The engine's worker is a bundle of its own: it holds the wasm backend too.
  worker: { plugins: () => [wasmThreads()] },
  build: {
    target: 'es2022',
    // bench.html is the benchmark's page (scripts/bench.mjs); the service worker does not precache it.
    rolldownOptions: { input: { main: 'index.html', bench: 'bench.html' } },
    chunkSizeWarningLimit: 4096,
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
