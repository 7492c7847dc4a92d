/** Service-worker state for the "offline ready" and "update available" notices. */
class Pwa {
  offlineReady = $state(false);
  needRefresh = $state(false);
  private update: ((reload?: boolean) => Promise<void>) | null = null;

  async register(): Promise<void> {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
    const { registerSW } = await import('virtual:pwa-register');
    this.update = registerSW({
      immediate: true,
      onOfflineReady: () => (this.offlineReady = true),
      onNeedRefresh: () => (this.needRefresh = true),
    });
  }

  reload(): void {
    void this.update?.(true);
  }

  dismiss(): void {
    this.offlineReady = false;
    this.needRefresh = false;
  }
}

export const pwa = new Pwa();
