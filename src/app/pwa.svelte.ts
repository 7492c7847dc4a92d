import { lms } from '../lms/lms.svelte';
import { wasmThreadCount } from '../ml/threads';

/** How often a tab left open checks for a new version (a deploy should reach a classroom within the hour). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * Service-worker state for the "offline ready" and "update available" notices. The first install takes control
 * of the page that installed it (clientsClaim), so a network drop right after "ready offline" loses nothing;
 * an update waits for the learner's click, and that click waits while a training run is going.
 */
class Pwa {
  offlineReady = $state(false);
  /** Why this page cannot work offline: no service worker in a private window, or none on plain http. */
  offlineUnavailable = $state<'window' | 'https' | null>(null);
  needRefresh = $state(false);
  /** The service worker controls this page (from the first load after it installed, or once it claims this one). */
  private controlled = $state(typeof navigator !== 'undefined' && !!navigator.serviceWorker?.controller);
  /** True while something (a training run) must not be interrupted by a reload; set by the lab. */
  // State, so a notice already on screen starts following the lab's check as soon as the lab installs it.
  private busyCheck = $state.raw<() => boolean>(() => false);
  private update: ((reload?: boolean) => Promise<void>) | null = null;

  get busy(): boolean {
    return this.busyCheck();
  }

  /**
   * A reload would make this page cross-origin isolated: the service worker (which adds COOP/COEP) controls it, but
   * the page was loaded before it did (the first visit). The app never reloads on its own for this: the views offer it.
   */
  get isolatesOnReload(): boolean {
    return this.controlled && !globalThis.crossOriginIsolated;
  }

  /** The wasm backend's threads after that reload, or 0 when a reload would bring none (one core, isolated already). */
  get threadsOnReload(): number {
    const threads = wasmThreadCount();
    return this.isolatesOnReload && threads > 1 ? threads : 0;
  }

  /** The lab says when it is busy; reading it here keeps the training state out of the shell's chunk. */
  watchBusy(check: () => boolean): void {
    this.busyCheck = check;
  }

  async register(): Promise<void> {
    if (import.meta.env.DEV) return;
    // Inside an LMS frame its scope would be the package folder, and the LMS needs the network anyway.
    if (lms.inside) return;
    // Firefox's private windows have no service worker: say so rather than wait for "ready offline" forever.
    if (!('serviceWorker' in navigator)) {
      this.offlineUnavailable = isSecureContext ? 'window' : 'https';
      return;
    }
    navigator.serviceWorker.addEventListener('controllerchange', () => (this.controlled = true));
    const { registerSW } = await import('virtual:pwa-register');
    this.update = registerSW({
      immediate: true,
      onOfflineReady: () => void this.whenControlled().then(() => (this.offlineReady = true)),
      onNeedRefresh: () => (this.needRefresh = true),
      onRegisteredSW: (_url, registration) => {
        if (!registration) return;
        setInterval(() => {
          if (navigator.onLine && !registration.installing) void registration.update().catch(() => {});
        }, UPDATE_CHECK_MS);
      },
    });
  }

  /** "Ready offline" is only true once this very page's requests go through the service worker. */
  private whenControlled(): Promise<void> {
    if (navigator.serviceWorker.controller) return Promise.resolve();
    return new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  }

  reload(): void {
    if (this.busy) return;
    void this.update?.(true);
  }

  dismiss(): void {
    this.offlineReady = false;
    this.offlineUnavailable = null;
    this.needRefresh = false;
  }
}

export const pwa = new Pwa();
