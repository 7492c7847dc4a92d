import { readdirSync, readFileSync } from 'node:fs';
import { getMessageFormatter } from 'svelte-i18n';
import { describe, expect, it } from 'vitest';
import { LOCALES } from './index';

const root = new URL('./messages/', import.meta.url);
const features = readdirSync(root);

/** Every string of a catalog by its dotted key. */
function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}
const catalog = (feature: string, lang: string) => leaves(JSON.parse(readFileSync(new URL(`${feature}/${lang}.json`, root), 'utf8')));

describe('message catalogs', () => {
  it('every message parses as ICU (a select key with a hyphen, say, would show the raw pattern to the learner)', () => {
    const broken: string[] = [];
    for (const feature of features)
      for (const lang of LOCALES)
        for (const [key, message] of catalog(feature, lang)) {
          try {
            getMessageFormatter(message, lang);
          } catch (err) {
            broken.push(`${feature}/${lang} ${key}: ${(err as Error).message}`);
          }
        }
    expect(broken).toEqual([]);
  });

  it('pt-BR and English have the same keys in every feature', () => {
    for (const feature of features) {
      const [pt, en] = LOCALES.map((lang) => catalog(feature, lang).map(([k]) => k).sort());
      expect(en, feature).toEqual(pt);
    }
  });
});
