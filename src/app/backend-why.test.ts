import { readFileSync } from 'node:fs';
import { addMessages, init, locale, t } from 'svelte-i18n';
import { get } from 'svelte/store';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendNote } from '../ml/backend';
import { backendWhy } from './backend-why';

const messages = (lang: string) => JSON.parse(readFileSync(new URL(`../i18n/messages/engine/${lang}.json`, import.meta.url), 'utf8'));
/** Every note key backend.ts can produce (the first argument of each say()); the host adds where the engine runs and a lost device. */
const keys = [...readFileSync(new URL('../ml/backend.ts', import.meta.url), 'utf8').matchAll(/say\('([a-z-]+)'/g)].map((m) => m[1]);

beforeAll(() => {
  for (const lang of ['pt-BR', 'en']) addMessages(lang, messages(lang));
  init({ fallbackLocale: 'pt-BR', initialLocale: 'pt-BR' });
});

describe('backendWhy', () => {
  it('has a sentence in both languages for every note the backend choice can give', () => {
    expect(keys.length).toBeGreaterThan(10);
    for (const lang of ['pt-BR', 'en']) {
      const why = messages(lang).engine.why as Record<string, string>;
      expect(Object.keys(why).sort(), lang).toEqual(expect.arrayContaining([...new Set([...keys, 'in-worker', 'in-page', 'device-lost'])].sort()));
    }
  });

  it('says the figures and the browser’s own words in the learner’s language', async () => {
    const notes: BackendNote[] = [
      { key: 'init-error', values: { backend: 'webgl', detail: 'Cannot create a canvas in this context' } },
      { key: 'fastest', values: { best: 'wasm', infer: 15, train: 40, times: 9.1, next: 'webgl', nextInfer: 99, nextTrain: 400 } },
      { key: 'in-worker' },
    ];
    await locale.set('pt-BR');
    expect(backendWhy(notes, get(t))).toBe(
      'webgl não conseguiu iniciar (o navegador diz: Cannot create a canvas in this context); wasm foi o mais rápido na medição: 15 ms para inferir + 40 ms para treinar o teste, 9,1× mais rápido que webgl (99 ms + 400 ms); o motor roda num Web Worker',
    );
    await locale.set('en');
    expect(backendWhy(notes, get(t))).toBe(
      'webgl could not start (the browser says: Cannot create a canvas in this context); wasm measured fastest: 15 ms to infer + 40 ms to train the probe, 9.1× faster than webgl (99 ms + 400 ms); the engine runs in a Web Worker',
    );
  });
});
