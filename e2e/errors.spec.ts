import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { test, expect, waitForModel, setField, setUpClasses, photosOf } from './fixtures';
import { chromiumArgs, findChromium } from '../scripts/chromium.mjs';

/** The app's own pt-BR strings: the tests look for exactly what a Brazilian student reads. */
const ptErrors = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'src', 'i18n', 'messages', 'errors', 'pt-BR.json'), 'utf8')).errors;
const ptLab = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'src', 'i18n', 'messages', 'lab', 'pt-BR.json'), 'utf8')).lab;

test('an engine error (a learning rate of 0) reaches a pt-BR student as a Portuguese sentence, not the engine\'s English', async ({ page }) => {
  await page.goto('./?lang=pt-BR#/lab');
  await waitForModel(page);
  await setUpClasses(page, ['sapato', 'chapéu'], [photosOf('shoes').slice(0, 2), photosOf('hat').slice(0, 2)]);
  await setField(page, 'learning-rate', '0');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'error');
  // The engine throws EngineError BAD_HYPERPARAMETER {name: learningRate, value: 0} in its worker.
  const alert = page.getByRole('alert').filter({ hasText: 'taxa de aprendizado' });
  await expect(alert).toContainText('A taxa de aprendizado precisa ser um número maior que 0 (agora é 0)');
  await expect(alert).toContainText('O treino falhou');
  await expect(alert).not.toContainText('must be');
  await expect(alert).not.toContainText('learningRate');
});

test('a model file refused in the engine\'s worker gets its specific pt-BR message', async ({ page }) => {
  await page.goto('./?lang=pt-BR#/lab');
  await waitForModel(page);
  // A Teachable Machine export whose weights.bin is shorter than model.json's shapes need (4 of 16 bytes).
  const modelJson = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'x', layers: [] } },
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }] }],
  };
  await page.getByTestId('model-import-tm').setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4) },
    { name: 'metadata.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ labels: ['a', 'b'], imageSize: 224 })) },
  ]);
  const status = page.getByTestId('model-import-tm-status');
  await expect(status).toHaveAttribute('data-state', 'error');
  await expect(status).toContainText(ptErrors.file['weights-mismatch']);
  await expect(status).not.toContainText('the weight files hold');
});

test('a computer without a camera is told so in pt-BR', async ({ baseURL }) => {
  // The same browser and flags as every test, less the fake camera: this machine has no camera at all.
  const browser = await chromium.launch({ executablePath: findChromium() ?? undefined, args: chromiumArgs.filter((a) => a !== '--use-fake-device-for-media-stream') });
  try {
    const page = await browser.newPage();
    await page.goto(new URL('./?lang=pt-BR#/lab', baseURL).href);
    await page.getByRole('button', { name: ptLab.webcam.start }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'câmera' });
    await expect(alert).toContainText(ptLab.webcam.problem.none);
    await expect(alert).not.toContainText('not found');
  } finally {
    await browser.close();
  }
});
