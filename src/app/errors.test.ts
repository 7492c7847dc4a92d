import { addMessages, init, locale, t } from 'svelte-i18n';
import { get } from 'svelte/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../ml/types';
import { CameraError } from '../io/webcam';
import { ModelLimitError } from '../io/model-limits';
import { TmFileError } from '../io/tm-files';
import { ProjectFileError } from '../io/project-file';
import { StorageFullError } from '../io/db';
import { fromWire, toWire } from '../worker/errors';
import { UploadRejectedError, errorCode, errorDetail, errorText, type Translate } from './errors';

// The app's real message files, merged as src/i18n/index.ts merges them.
const files = import.meta.glob<Record<string, unknown>>('../i18n/messages/*/*.json', { eager: true, import: 'default' });

beforeAll(() => {
  for (const [path, messages] of Object.entries(files)) addMessages(path.split('/').pop()!.replace('.json', ''), messages as never);
  init({ fallbackLocale: 'pt-BR', initialLocale: 'pt-BR' });
});

async function translator(lang: 'pt-BR' | 'en'): Promise<Translate> {
  await locale.set(lang);
  return get(t);
}

/** A message is specific when it is neither a bare key (missing string) nor the generic sentence. */
async function both(err: unknown): Promise<{ pt: string; en: string }> {
  const pt = errorText(err, await translator('pt-BR'));
  const en = errorText(err, await translator('en'));
  for (const s of [pt, en]) {
    expect(s).not.toMatch(/^(errors|lab|teachable)\./);
    expect(s).not.toMatch(/\{[a-z]+\}/i);
  }
  expect(pt).not.toBe(en);
  return { pt, en };
}

describe('errorText', () => {
  it('names every engine code in both languages, with its details', async () => {
    const cases: [EngineError, string, string][] = [
      [new EngineError('NO_SAMPLES', 'There are no photos to train on.'), 'Não há fotos', 'no photos'],
      [new EngineError('ONE_CLASS', 'x', { classes: 1 }), 'duas classes', 'two classes'],
      [new EngineError('TOO_FEW_SAMPLES', 'x', { class: 'gato', count: 1 }), 'A classe “gato” tem 1 foto;', 'The class “gato” has 1 photo;'],
      [new EngineError('BAD_SAMPLE', 'x', { id: 'p1' }), 'entregue ao motor', 'handed to the engine'],
      [new EngineError('BAD_IMAGE', 'x', { id: 'p1', width: 2, height: 2, channels: 3 }), 'pixels danificados', 'damaged or incomplete pixels'],
      [new EngineError('BAD_HYPERPARAMETER', 'learningRate must be a positive number; got 0.', { name: 'learningRate', value: '0' }), 'A taxa de aprendizado precisa ser um número maior que 0 (agora é 0)', 'The learning rate must be a number greater than 0 (it is 0)'],
      [new EngineError('BAD_HYPERPARAMETER', 'x', { name: 'seed', value: 'NaN' }), 'A configuração de treino seed', 'The training setting seed'],
      [new EngineError('BAD_PLAN', 'x', { blocks: 20 }), 'plano de camadas', 'layer plan'],
      [new EngineError('NO_TRAINABLE', 'x'), 'ligue pelo menos um bloco', 'switch on at least one block'],
      [new EngineError('NOT_TRAINED', 'x'), 'modelo treinado', 'no trained model'],
      [new EngineError('BUSY', 'x'), 'ocupado', 'busy'],
      [new EngineError('CANCELLED', 'x'), 'cancelado', 'cancelled'],
      [new EngineError('MODEL', 'x', { problem: 'other-base', saved: 'mobilenet_v1_0.75', current: 'mobilenet_v1_0.25' }), 'treinada na mobilenet_v1_0.75', 'trained on mobilenet_v1_0.75'],
      [new EngineError('MODEL', 'x', { weight: 'head/0' }), 'não combina com este modelo', 'does not fit this model'],
      [new EngineError('MODEL', 'x', { format: 'undefined' }), 'não é uma cabeça salva', 'not a head saved'],
      [new EngineError('MODEL', 'Could not load the model: 404', { source: 'url' }), 'Não foi possível carregar o modelo base (Could not load the model: 404)', 'could not be loaded'],
      [new EngineError('BACKEND', 'Training failed on the webgl backend: lost context', { backend: 'webgl' }), 'O cálculo falhou no backend webgl', 'failed on the webgl backend'],
      [new EngineError('BACKEND', 'x', { tried: 'webgpu,webgl' }), 'testados: webgpu,webgl', 'tried: webgpu,webgl'],
      [new EngineError('LOST', 'x', { cause: 'crashed', detail: '' }), 'O motor parou enquanto fazia isto', 'The engine stopped while doing this'],
      [new EngineError('LOST', 'x', { cause: 'unresponsive', detail: '' }), 'O motor deixou de responder', 'The engine stopped answering'],
      [new EngineError('LOST', 'x', { cause: 'stuck', detail: '' }), 'O motor travou ao iniciar uma de suas threads enquanto fazia isto', 'The engine got stuck starting one of its threads while doing this'],
      [new EngineError('LOST', 'x', { cause: 'device', detail: 'destroyed' }), 'A GPU deixou de funcionar', 'The GPU stopped working'],
    ];
    for (const [err, pt, en] of cases) {
      const said = await both(err);
      expect(said.pt).toContain(pt);
      expect(said.en).toContain(en);
      expect(errorCode(err)).toMatch(/^errors\.engine\./);
    }
  });

  it('an engine error that crossed from the worker is told by its code, not its English message', async () => {
    const sent = new EngineError('BAD_HYPERPARAMETER', 'learningRate must be a positive number; got 0.', { name: 'learningRate', value: '0' });
    const { pt } = await both(fromWire(structuredClone(toWire(sent))));
    expect(pt).toContain('taxa de aprendizado');
    expect(pt).not.toContain('must be');
  });

  it('names file, project, upload, camera and storage problems in both languages', async () => {
    const modelFile = Object.assign(new Error('not-ours'), { name: 'ModelFileError', problem: 'not-ours' });
    const cases: [unknown, string, string][] = [
      [new TmFileError('labels-mismatch', '3 vs 2'), 'metadata.json não corresponde ao modelo', 'metadata.json does not match the model'],
      [new TmFileError('bad-zip', 'x'), '.zip', '.zip'],
      [new ModelLimitError('weights-mismatch', 'x'), 'não corresponde ao model.json', 'does not match model.json'],
      [modelFile, 'não são um modelo exportado pelo Transfer Lab', 'not a model exported by Transfer Lab'],
      [new ProjectFileError('foreign'), 'não é um projeto do Transfer Lab', 'not a Transfer Lab project'],
      [new ProjectFileError('photo', 'svg', 'photos/a.svg'), 'A foto photos/a.svg', 'Photo photos/a.svg'],
      [new UploadRejectedError({ file: 'cat.svg', reason: 'svg' }), 'cat.svg não foi aceito: desenhos SVG', 'cat.svg was not accepted: SVG drawings'],
      [new CameraError('denied', 'Permission denied'), 'permissão da câmera foi negada', 'Camera permission was denied'],
      [new CameraError('none', 'Requested device not found'), 'Nenhuma câmera', 'No camera'],
      [new StorageFullError(new Error('quota')), 'armazenamento do navegador', "browser's storage"],
    ];
    for (const [err, pt, en] of cases) {
      const said = await both(err);
      expect(said.pt).toContain(pt);
      expect(said.en).toContain(en);
      expect(errorCode(err)).not.toBeNull();
    }
  });

  it('an unknown error still gets a translated sentence, with its own words as the detail', async () => {
    const { pt, en } = await both(new TypeError('x is undefined'));
    expect(pt).toBe('Algo inesperado deu errado: x is undefined.');
    expect(en).toBe('Something unexpected went wrong: x is undefined.');
    expect((await both('a thrown string')).pt).toBe('Algo inesperado deu errado: a thrown string.');
    expect(errorDetail(new TypeError('x is undefined'), await translator('en'))).toBe('Something unexpected went wrong: x is undefined');
    expect(errorCode(new Error('?'))).toBeNull();
  });
});
