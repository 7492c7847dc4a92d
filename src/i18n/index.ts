import { addMessages, init, locale, getLocaleFromNavigator } from 'svelte-i18n';

export const LOCALES = ['pt-BR', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'transfer-lab:lang';

// Every feature keeps its strings in src/i18n/messages/<feature>/<lang>.json; they are merged here.
const files = import.meta.glob<Record<string, unknown>>('./messages/*/*.json', { eager: true, import: 'default' });

export function normaliseLocale(value: string | null | undefined): Locale | null {
  if (!value) return null;
  const v = value.toLowerCase();
  if (v.startsWith('pt')) return 'pt-BR';
  if (v.startsWith('en')) return 'en';
  return null;
}

/** ?lang= wins, then the remembered choice, then the browser language; Portuguese is the default. */
export function initialLocale(): Locale {
  const fromUrl = normaliseLocale(new URLSearchParams(location.search).get('lang'));
  let remembered: string | null = null;
  try {
    remembered = localStorage.getItem(STORAGE_KEY);
  } catch {
    /* storage can be disabled; the browser language still applies */
  }
  return fromUrl ?? normaliseLocale(remembered) ?? normaliseLocale(getLocaleFromNavigator()) ?? 'pt-BR';
}

export function setupI18n(): void {
  for (const [path, messages] of Object.entries(files)) {
    const lang = path.split('/').pop()!.replace('.json', '');
    addMessages(lang, messages as never);
  }
  const start = initialLocale();
  init({ fallbackLocale: 'pt-BR', initialLocale: start });
  document.documentElement.lang = start;
  locale.subscribe((l) => {
    const lang = normaliseLocale(l);
    if (!lang) return;
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      /* not remembered, but the switch still works for this visit */
    }
  });
}
