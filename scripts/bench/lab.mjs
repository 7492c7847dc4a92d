// The lab as a learner drives it, for the benchmark: uploads, training, live prediction; what the page feels.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromiumRss, peakRss } from './procmem.mjs';
import { benchPhotos } from './photos.mjs';

const CACHE = resolve('.cache', 'assets', 'datasets', 'clothing-small-5');
const photosOf = (cls, n) => readdirSync(join(CACHE, cls)).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => join(CACHE, cls, f));

/** Records every main-thread long task (> 50 ms) from the first script on. */
const observeLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
};
const longest = (page) => page.evaluate(() => Math.max(0, ...window.__longTasks.splice(0)));

/** Waits until the page has had no long task for a whole second (at most 15 s), e.g. after an upload renders. */
export async function settle(page) {
  for (let i = 0; i < 15; i++) {
    await page.evaluate(() => window.__longTasks.splice(0));
    await page.waitForTimeout(1000);
    if ((await page.evaluate(() => window.__longTasks.length)) === 0) return;
  }
}

export async function openLab(browser, base, backend) {
  const context = await browser.newContext({ permissions: ['camera'] });
  await context.addInitScript(observeLongTasks);
  const page = await context.newPage();
  await page.goto(`${base}?backend=${backend}&lang=en#/lab`);
  await page.locator('[data-testid=model-status][data-state=ready]').waitFor({ timeout: 300_000 });
  return { context, page };
}

/** Polls the engine's own tf.memory() (in its worker) every 500 ms; stop() gives the peak tensor and wasm heap bytes. */
function enginePeak(page) {
  const peak = { tensorBytes: 0, wasmHeapBytes: null };
  let on = true;
  const loop = (async () => {
    while (on) {
      const m = await page.evaluate(() => window.__transferLab?.memory?.()).catch(() => null);
      if (m) {
        peak.tensorBytes = Math.max(peak.tensorBytes, m.numBytes);
        if (m.wasmHeapBytes != null) peak.wasmHeapBytes = Math.max(peak.wasmHeapBytes ?? 0, m.wasmHeapBytes);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return peak;
    },
  };
}

export async function upload(page, groups) {
  for (const [i, paths] of groups.entries()) {
    const card = page.getByTestId('class-card').nth(i);
    await card.getByTestId('class-upload').setInputFiles(paths);
    await card.locator(`[data-testid=sample-count][data-value="${paths.length}"]`).waitFor({ timeout: 900_000 });
  }
}

export async function train(page, epochs) {
  await page.getByTestId('epochs').fill(String(epochs));
  await page.getByTestId('epochs').press('Tab');
  await page.getByTestId('train').click();
  await page.locator('[data-testid=train-status][data-state=done]').waitFor({ timeout: 1_800_000 });
}

/** 16 + 16 photos: feature extraction, then fine-tuning block 13; the longest main-thread task during each. */
export async function labRun(browser, base, backend) {
  const rss = peakRss();
  const { context, page } = await openLab(browser, base, backend);
  try {
    const out = { engineIn: await page.evaluate(() => window.__transferLab?.engineIn ?? 'page'), longestMainThreadTaskMs: {}, livePredictionFps: null, cameraFps: null };
    await upload(page, [photosOf('shoes', 16), photosOf('hat', 16)]);
    // The upload's own rendering (thumbnails, storage) must not be billed to training.
    await settle(page);
    await train(page, 5);
    out.longestMainThreadTaskMs.featureExtraction = await longest(page);
    await page.getByRole('button', { name: /Block 13/ }).click();
    for (const name of ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']) {
      await page.locator(`[data-testid=layer-row][data-layer="${name}"]`).getByTestId('layer-toggle').check();
    }
    await page.getByTestId('train-mode').selectOption('fine-tune');
    await settle(page);
    await train(page, 2);
    out.longestMainThreadTaskMs.fineTune = await longest(page);
    // Live prediction from the (fake) webcam through the trained pipeline: the fps the lab shows is the engine's.
    await page.getByRole('button', { name: 'Turn on the webcam' }).click();
    await page.getByTestId('live-toggle').click({ timeout: 60_000 });
    await page.waitForTimeout(6000);
    out.livePredictionFps = Number(await page.getByTestId('live-fps').getAttribute('data-value'));
    // The lab answers once per new camera frame, so the camera's own rate is the ceiling: measured over 3 s.
    out.cameraFps = await page.evaluate(
      () =>
        new Promise((done) => {
          const video = document.querySelector('video');
          let frames = 0;
          const start = performance.now();
          const count = () => (performance.now() - start < 3000 ? (frames++, video.requestVideoFrameCallback(count)) : done((frames * 1000) / (performance.now() - start)));
          video.requestVideoFrameCallback(count);
        }),
    );
    return { ...out, peakProcessBytes: rss.stop() };
  } finally {
    rss.stop();
    await context.close();
  }
}

/** Every renderer of this browser with one blank page open (after 2 s), in MB: sum, PSS sum, each process. */
async function blankPageRenderers(browser) {
  const context = await browser.newContext();
  try {
    await (await context.newPage()).goto('about:blank');
    await new Promise((r) => setTimeout(r, 2000));
    const now = chromiumRss();
    if (!now) return null;
    const mb = (b) => Math.round(b / 2 ** 20);
    return { sum: mb(now.renderer), pss: mb(now.rendererPss), processes: Object.values(now.renderers).sort((a, b) => b - a).map(mb) };
  } finally {
    await context.close();
  }
}

/**
 * Uploads N photos into a project through the lab (two classes; past the datasets' own photos, variants of them:
 * photos.mjs), trains feature extraction; peaks of memory and of main-thread tasks. The engine's worker runs in the
 * renderer process, so the renderer's peak is page and engine together; the engine's own tensors and wasm heap
 * are reported beside it.
 */
export async function memoryRun(browser, base, n) {
  const { groups, variants } = benchPhotos(n);
  const backend = process.env.BENCH_MEMORY_BACKEND ?? 'wasm';
  const blank = await blankPageRenderers(browser);
  const rss = peakRss();
  const { context, page } = await openLab(browser, base, backend);
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return Math.round(metrics.find((m) => m.name === 'JSHeapUsedSize').value / 2 ** 20);
    };
    const idle = rss.stop();
    const during = peakRss();
    const engine = enginePeak(page);
    await longest(page);
    const t0 = Date.now();
    await upload(page, groups);
    const uploadSeconds = (Date.now() - t0) / 1000;
    await page.waitForTimeout(2000);
    const longestUploadTask = await longest(page);
    await settle(page);
    const t1 = Date.now();
    await train(page, 5);
    const trainSeconds = (Date.now() - t1) / 1000;
    const longestTrainTask = await longest(page);
    const peak = during.stop();
    const enginePeakBytes = await engine.stop();
    const mb = (b) => Math.round(b / 2 ** 20);
    return {
      photos: n, variants, backend, uploadSeconds, trainSeconds,
      jsHeapAfterTrainingMB: await heap(),
      // The sum over every renderer process, and each process's own: the page's (with the engine and its threads)
      // first, then the browser's own: its UI (`--top-chrome-webui`, `browserUi`) and a spare renderer, which are
      // there with a blank page too.
      rendererMB: { idle: mb(idle.renderer), peak: mb(peak.renderer), pssPeak: mb(peak.rendererPss), browserUiPeak: mb(peak.browserUi), processes: { idle: idle.renderers.map(mb), peak: peak.renderers.map(mb) } },
      // The goal's figure: the lab's own renderer process (page + engine worker + its wasm threads): RSS, and PSS (its
      // share of pages it shares with the browser's other processes, Chromium's library above all).
      appRendererMB: { idle: idle.app && mb(idle.app.rss), peak: peak.app && mb(peak.app.rss), pssIdle: idle.app && mb(idle.app.pss), pssPeak: peak.app && mb(peak.app.pss) },
      // The same browser with one blank page and no app: what of the sum is the browser's own.
      blankPageRenderersMB: blank,
      gpuProcessMB: { idle: mb(idle.gpu), peak: mb(peak.gpu) },
      // The browser process and its utility processes (network, storage): where Chromium keeps the bytes of blobs.
      browserProcessesMB: { idle: mb(idle.other), peak: mb(peak.other) },
      engineTensorsPeakMB: mb(enginePeakBytes.tensorBytes),
      engineWasmHeapPeakMB: enginePeakBytes.wasmHeapBytes == null ? null : mb(enginePeakBytes.wasmHeapBytes),
      longestMainThreadTaskMs: { upload: Math.round(longestUploadTask), training: Math.round(longestTrainTask) },
    };
  } finally {
    rss.stop();
    await context.close();
  }
}
