import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { test, expect, photosOf, waitForModel, setField, setUpClasses, type Page } from './fixtures';

// The TM check page is served with page.route; a service worker would answer its navigation with the app instead.
test.use({ serviceWorkers: 'block' });

const ROOT = resolve(import.meta.dirname, '..');
/** What a Teachable Machine tutorial page loads: tfjs 1.3.1 as the global `tf`, then TM's own UMD bundle. */
const TM_PAGE: Record<string, string> = {
  'index.html': resolve(ROOT, 'e2e', 'tm', 'check.html'),
  'tf.min.js': resolve(ROOT, 'node_modules', 'tfjs-tm', 'dist', 'tf.min.js'),
  'teachablemachine-image.min.js': resolve(ROOT, 'node_modules', '@teachablemachine', 'image', 'dist', 'teachablemachine-image.min.js'),
};
const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', json: 'application/json', bin: 'application/octet-stream', jpg: 'image/jpeg', png: 'image/png' };


/** The lab's top class for one photo (data-input tells this answer from the previous one). */
async function labPredicts(page: Page, file: string, name = basename(file)): Promise<{ label: string; confidence: number }> {
  await page.getByTestId('predict-upload').setInputFiles(file);
  const top = page.locator(`[data-testid=prediction][data-input="${name}"]`);
  await expect(top).toHaveAttribute('data-label', /.+/);
  return { label: (await top.getAttribute('data-label'))!, confidence: Number(await top.getAttribute('data-confidence')) };
}

/**
 * Serves, on the app's own origin under /tm-check/: the check page, tfjs 1.3.1, TM's bundle, a model's files under
 * model/ and photos under photos/. Nothing leaves the origin (the suite's fixture checks that).
 */
async function serveTmCheck(page: Page, baseURL: string, model: Record<string, Uint8Array>, photos: string[] = []): Promise<void> {
  const byName = new Map(photos.map((p) => [basename(p), p]));
  await page.route(`${baseURL}tm-check/**`, async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname.split('/tm-check/')[1] ?? '');
    const type = TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream';
    let body: Buffer | undefined;
    if (TM_PAGE[path]) body = readFileSync(TM_PAGE[path]);
    else if (path.startsWith('model/') && model[path.slice(6)]) body = Buffer.from(model[path.slice(6)]);
    else if (path.startsWith('photos/') && byName.has(path.slice(7))) body = readFileSync(byName.get(path.slice(7))!);
    await (body ? route.fulfill({ status: 200, contentType: type, body }) : route.fulfill({ status: 404, body: 'not found' }));
  });
}

type TmAnswer = { file: string; label: string; probability: number; byClass: Record<string, number> };
type TmGlobals = {
  tf: { setBackend(name: string): Promise<boolean>; getBackend(): string; version: { tfjs: string } };
  tmImage: {
    version: string;
    load(model: string, metadata: string): Promise<{ predict(img: HTMLImageElement): Promise<{ className: string; probability: number }[]>; getClassLabels(): string[] }>;
  };
};

/** TM's own `tmImage.load()` and `predict()` on photos, exactly as a tutorial calls them. */
async function tmPredicts(page: Page, names: string[]): Promise<{ labels: string[]; answers: TmAnswer[]; versions: string; backend: string }> {
  await page.goto('./tm-check/index.html');
  // The 0.8.5 package's bundle still reports the version string of its source, 0.8.4-alpha2.
  await expect(page.locator('#versions')).toHaveText(/^tfjs 1\.3\.1 · @teachablemachine\/image 0\.8\./);
  return page.evaluate(async (files) => {
    const { tf, tmImage } = window as unknown as TmGlobals;
    // The cpu backend: tfjs 1.3.1's WebGL predates this browser's SwiftShader; the answer does not depend on it.
    await tf.setBackend('cpu');
    const model = await tmImage.load('model/model.json', 'model/metadata.json');
    const answers: TmAnswer[] = [];
    for (const file of files) {
      const img = new Image();
      img.src = `photos/${file}`;
      await img.decode();
      const all = await model.predict(img);
      const top = all.reduce((a, b) => (b.probability > a.probability ? b : a));
      answers.push({ file, label: top.className, probability: top.probability, byClass: Object.fromEntries(all.map((p) => [p.className, p.probability])) });
    }
    return { labels: model.getClassLabels(), answers, versions: `${tf.version.tfjs} ${tmImage.version}`, backend: tf.getBackend() };
  }, names);
}

/** A solid-colour 64×64 BMP (24-bit, bottom-up rows of 192 bytes), for a model that tells colours apart. */
function solidBmp(path: string, [r, g, b]: [number, number, number]): string {
  const side = 64;
  const pixels = side * side * 3;
  const file = Buffer.alloc(54 + pixels);
  file.write('BM', 0, 'ascii');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(side, 18);
  file.writeInt32LE(side, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  file.writeUInt32LE(pixels, 34);
  for (let i = 0; i < side * side; i++) file.set([b, g, r], 54 + i * 3);
  writeFileSync(path, file);
  return path;
}

test('train 2 classes, export for Teachable Machine: TM’s own library (tfjs 1.3.1) loads the zip and agrees with the lab on held-out photos', async ({ page, baseURL }) => {
  const shoes = photosOf('shoes');
  const hats = photosOf('hat');
  await page.goto('./?backend=wasm&lang=en#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['shoes', 'hat'], [shoes.slice(0, 5), hats.slice(0, 5)]);
  await page.getByTestId('train-mode').selectOption('feature-extraction');
  // An export sees the centre square once; a head trained on the fixed views predicts in the lab by averaging them,
  // which TM's library cannot (the lab says so). Compared here: the pipeline itself, so the lab sees one view too.
  await page.getByTestId('augmentation').selectOption('off');
  await setField(page, 'epochs', '15');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  const heldOut = [...shoes.slice(20, 23), ...hats.slice(20, 23)];
  const lab: Record<string, { label: string; confidence: number }> = {};
  for (const file of heldOut) lab[basename(file)] = await labPredicts(page, file);

  const download = page.waitForEvent('download');
  await page.getByTestId('model-export-tm').click();
  const zipPath = resolve(test.info().outputDir, (await download).suggestedFilename());
  await (await download).saveAs(zipPath);
  expect(zipPath).toMatch(/\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
  expect(Object.keys(files).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
  const metadata = JSON.parse(strFromU8(files['metadata.json']));
  expect(metadata).toMatchObject({ labels: ['shoes', 'hat'], imageSize: 224, packageName: '@teachablemachine/image', tfjsVersion: '1.3.1' });
  expect(typeof metadata.timeStamp).toBe('string');
  const modelJson = JSON.parse(strFromU8(files['model.json']));
  expect(modelJson.weightsManifest.map((g: { paths: string[] }) => g.paths)).toEqual([['weights.bin']]);

  // A re-import of the export answers like the lab did, with the export's labels, and lists its layers.
  await page.getByTestId('model-import-tm').setInputFiles(zipPath);
  await expect(page.getByTestId('model-import-tm-status')).toHaveAttribute('data-state', 'ok');
  const again = await labPredicts(page, heldOut[0]);
  expect(again.label).toBe(lab[basename(heldOut[0])].label);
  await expect(page.locator('[data-testid=tm-layer-list] [data-testid=layer-row][data-layer="conv_pw_13"]')).toHaveCount(1);

  await serveTmCheck(page, baseURL!, files, heldOut);
  const tm = await tmPredicts(page, heldOut.map((f) => basename(f)));
  expect(tm.labels).toEqual(['shoes', 'hat']);
  expect(tm.backend).toBe('cpu');
  // TM crops and resizes on a canvas, the lab with its own decoder, so probabilities differ a little (≤ 0.06
  // measured); the top class must be the same wherever the lab is not at a near-tie, which is most photos.
  const sure = tm.answers.filter((a) => lab[a.file].confidence >= 0.65);
  expect(sure.length).toBeGreaterThanOrEqual(4);
  for (const answer of tm.answers) {
    const ours = lab[answer.file];
    const why = `${answer.file}: lab ${JSON.stringify(ours)}, TM ${JSON.stringify(answer)}`;
    expect(Math.abs(answer.byClass[ours.label] - ours.confidence), why).toBeLessThanOrEqual(0.15);
    if (sure.includes(answer)) expect(answer.label, why).toBe(ours.label);
  }
  test.info().annotations.push({ type: 'agreement', description: JSON.stringify(tm.answers.map((a) => [a.file, a.label, a.probability.toFixed(3), lab[a.file].confidence.toFixed(3)])) });
});

test('a TM-format model built by tfjs 1.3.1 (MobileNet v2–like base nested in Sequentials) imports, predicts with its labels and lists its layers; broken TM zips are refused', async ({ page, baseURL }) => {
  await serveTmCheck(page, baseURL!, {});
  await page.goto('./tm-check/index.html');
  // Built and saved by TM's own tfjs, laid out like a TM download: Sequential[Sequential[functional base, pooling], Sequential[dense]].
  const made = await page.evaluate(async () => {
    type L = { apply(x: unknown): unknown; setWeights(w: unknown[]): void };
    const tf = (window as unknown as { tf: Record<string, any> }).tf; // eslint-disable-line @typescript-eslint/no-explicit-any
    const eye = (n: number) => tf.eye(n).reshape([1, 1, n, n]);
    const input = tf.input({ shape: [224, 224, 3] });
    const conv1: L = tf.layers.conv2d({ name: 'Conv1', filters: 3, kernelSize: 1, useBias: false });
    const bn: L = tf.layers.batchNormalization({ name: 'bn_Conv1' });
    const relu: L = tf.layers.reLU({ name: 'Conv1_relu', maxValue: 6 });
    const dw: L = tf.layers.depthwiseConv2d({ name: 'block_1_depthwise', kernelSize: 3, padding: 'same', useBias: false });
    const project: L = tf.layers.conv2d({ name: 'block_1_project', filters: 3, kernelSize: 1, useBias: false });
    const add: L = tf.layers.add({ name: 'block_1_add' });
    const out: L = tf.layers.reLU({ name: 'out_relu', maxValue: 6 });
    const a = relu.apply(bn.apply(conv1.apply(input)));
    const b = project.apply(dw.apply(a));
    const base = tf.model({ inputs: input, outputs: out.apply(add.apply([a, b])), name: 'mobilenetv2_like' });
    conv1.setWeights([eye(3)]);
    dw.setWeights([tf.fill([3, 3, 3, 1], 1 / 9)]);
    project.setWeights([eye(3)]);
    const features = tf.sequential({ layers: [base, tf.layers.globalAveragePooling2d({})] });
    const dense = tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [3], name: 'dense_Dense2' });
    const head = tf.sequential({ layers: [dense] });
    dense.setWeights([tf.eye(3).mul(20), tf.zeros([3])]);
    const model = tf.sequential({ layers: [features, head] });
    let saved: { modelTopology: unknown; weightSpecs: unknown[]; weightData: ArrayBuffer } | null = null;
    await model.save(tf.io.withSaveHandler(async (artifacts: typeof saved) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    return {
      modelJson: JSON.stringify({ modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] }),
      weights: Array.from(new Uint8Array(saved!.weightData)),
    };
  });
  const metadata = (labels: string[]) => strToU8(JSON.stringify({ tfjsVersion: '1.3.1', tmVersion: '2.4.10', packageVersion: '0.8.5', packageName: '@teachablemachine/image', timeStamp: '2026-11-23T20:00:00.000Z', userMetadata: {}, modelName: 'colours', labels, imageSize: 224 }));
  const model = { 'model.json': strToU8(made.modelJson), 'weights.bin': new Uint8Array(made.weights), 'metadata.json': metadata(['red', 'green', 'blue']) };
  const dir = test.info().outputDir;
  mkdirSync(dir, { recursive: true });
  const write = (name: string, entries: Record<string, Uint8Array>) => {
    const path = resolve(dir, name);
    writeFileSync(path, zipSync(entries));
    return path;
  };
  const { 'weights.bin': _weights, ...noWeights } = model;
  const red = solidBmp(resolve(dir, 'red.bmp'), [230, 20, 20]);
  const green = solidBmp(resolve(dir, 'green.bmp'), [20, 230, 20]);

  await page.goto('./?backend=wasm&lang=en#/lab');
  await waitForModel(page);
  // The three loose files, as a TM download unpacked.
  await page.getByTestId('model-import-tm').setInputFiles(
    Object.entries(model).map(([name, bytes]) => ({ name, mimeType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream', buffer: Buffer.from(bytes) })),
  );
  await expect(page.getByTestId('model-import-tm-status')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('model-import-tm-status')).toContainText('red, green, blue');
  expect((await labPredicts(page, red)).label).toBe('red');
  expect((await labPredicts(page, green)).label).toBe('green');
  // No "Why?" for it: its base is not the lab's MobileNet v1, so there is no conv_pw_13_relu to explain from.
  await expect(page.getByTestId('class-activation-open')).toHaveCount(0);

  // Its layers, nested models opened up and grouped by block from their names (no MobileNet v1 names assumed).
  const list = page.getByTestId('tm-layer-list');
  await expect(list.getByTestId('layer-row')).toHaveCount(9);
  await expect(list.locator('details[data-group="Conv1"] [data-testid=layer-row]')).toHaveCount(3);
  await expect(list.locator('details[data-group="block_1"] [data-testid=layer-row]')).toHaveCount(3);
  await list.locator('details[data-group="block_1"] summary').click();
  await expect(list.locator('[data-testid=layer-row][data-layer="block_1_depthwise"]')).toBeVisible();
  await expect(list.locator('[data-testid=layer-row][data-layer="block_1_depthwise"]')).toHaveAttribute('data-params', String(3 * 3 * 3));
  await expect(page.getByText('Fine-tuning is not offered for an imported Teachable Machine model')).toBeVisible();

  // Refused, each with its own message; the model imported before keeps answering.
  await page.getByTestId('model-import-tm').setInputFiles(write('no-weights.zip', noWeights));
  await expect(page.getByTestId('model-import-tm-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('model-import-tm-status')).toContainText('weights.bin is missing');
  await page.getByTestId('model-import-tm').setInputFiles(write('two-labels.zip', { ...model, 'metadata.json': metadata(['red', 'green']) }));
  await expect(page.getByTestId('model-import-tm-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('model-import-tm-status')).toContainText('the number of class names (labels) differs from the number of classes the model outputs');
  expect((await labPredicts(page, red)).label).toBe('red');
});
