// The app's service worker: Workbox precaching and routing (what the generated worker did), plus README's server
// headers on the documents and scripts it serves (COOP/COEP, the CSP), so the app is cross-origin isolated on any
// static host (wasm threads) and the engine's worker has a CSP too.
import { clientsClaim, type WorkboxPlugin } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkOnly } from 'workbox-strategies';
import { ExpirationPlugin } from 'workbox-expiration';
import { withServerHeaders } from './sw-headers';

declare const self: ServiceWorkerGlobalScope;

const headers: WorkboxPlugin = { handlerWillRespond: async ({ response }) => withServerHeaders(response) };

// Updates wait for the learner: the page's "Reload" sends this (registerType 'prompt').
self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// The first install controls the page that installed it: a network drop right after "ready offline" must not leave
// that page fetching chunks from the network.
clientsClaim();

// App shell, every lesson, KaTeX fonts, wasm binaries, the default base and the sample photos (vite.config.ts lists
// them). ?backend= and ?lang= must not miss the cache.
addPlugins([headers]);
precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/^backend$/, /^lang$/, /^utm_/] });
cleanupOutdatedCaches();

// Offline, any navigation in scope gets the app shell (the benchmark's page excepted).
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/bench\.html/] }));

// The larger base (10 MB) is cached the first time a learner picks it.
registerRoute(
  ({ url }) => url.pathname.includes('/assets/models/'),
  new CacheFirst({ cacheName: 'base-models', plugins: [new ExpirationPlugin({ maxEntries: 200 })] }),
);

// A same-origin document or script that is not precached (the benchmark's page, a chunk of a newer deploy) still
// gets the headers: in an isolated page a worker script without COEP would be refused.
registerRoute(
  ({ url, request }) => url.origin === self.location.origin && ['document', 'script', 'worker'].includes(request.destination),
  new NetworkOnly({ plugins: [headers] }),
);
