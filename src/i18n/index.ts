import { addMessages, init, locale, getLocaleFromNavigator } from 'svelte-i18n';

export const LOCALES = ['pt-BR', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'transfer-lab:lang';

// Every feature keeps its strings in src/i18n/messages/<feature>/<lang>.json; they are merged here. The home page's
// own (the shell, the chapter list, the error mapper's sentences, the engine's backend reasons and recovery notice,
// the LMS notice) come with the first script; every other feature's load with the first chapter or lab (see
// loadMessages), so the home page stays within its size budget.
const home = import.meta.glob<Record<string, unknown>>('./messages/{shell,chapter,errors,engine,lms}/*.json', { eager: true, import: 'default' });

const langOf = (path: string) => path.split('/').pop()!.replace('.json', '');

let rest: Promise<void> | null = null;

/** Every feature's strings beyond the home page's, added once; the routes that need them wait for this. */
export function loadMessages(): Promise<void> {
  rest ??= import('./rest').then(({ files }) => {
    for (const [path, messages] of Object.entries(files)) addMessages(langOf(path), messages as never);
  });
  // A failed load (offline before the service worker) may be retried by the route's Retry.
  rest.catch(() => (rest = null));
  return rest;
}

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

/**
 * A language tag Intl rejects as navigator.language ("C" from a POSIX locale, as WebKitGTK reports it) would break
 * libraries that format numbers with it — uPlot does when its module loads — so the app's language stands in.
 */
function guardNavigatorLanguage(fallback: Locale): void {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    Object.defineProperty(navigator, 'language', { value: fallback, configurable: true });
  }
}

export function setupI18n(): void {
  for (const [path, messages] of Object.entries(home)) addMessages(langOf(path), messages as never);
  const start = initialLocale();
  guardNavigatorLanguage(start);
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
