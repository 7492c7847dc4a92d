import * as Comlink from 'comlink';
import type { Pixels } from '../ml/types';
import { onPhoto, type ShownActivation } from './activation-place';
import { SLOT as LAB_SLOT } from './lab.svelte';
import { model } from './model.svelte';

/** A photo to explain: what the view draws (the whole photo) and what the engine reads (its 224×224 centre square). */
export interface ActivationPhoto {
  /** Names the photo to tests and views (a file name, a sample's id, 'webcam-frame'). */
  id: string;
  /** An object URL of the whole photo; its owner revokes it. */
  url: string;
  /** The centre square the page decoded from it, as the model saw it. */
  pixels: Pixels;
}

/** The photo's displayed size (EXIF orientation applied, as the decoder applies it). */
async function sizeOf(url: string): Promise<{ width: number; height: number }> {
  const img = new Image();
  img.src = url;
  await img.decode();
  return { width: img.naturalWidth, height: img.naturalHeight };
}

/**
 * Class activation maps (Grad-CAM) of one photo at a time, from the model that answers one engine slot: the lab's
 * (its trained or imported model, else ImageNet's) or a chapter widget's. The latest request wins.
 */
export class ClassActivations {
  photo = $state.raw<ActivationPhoto | null>(null);
  shown = $state.raw<ShownActivation | null>(null);
  busy = $state(false);
  /** When the current computation began (for the elapsed time next to the progress bar). */
  startedAt = $state(0);
  /** The last failure as thrown; views name it with errorText. */
  error = $state.raw<unknown>(null);
  private request = 0;
  private size: { url: string; width: number; height: number } | null = null;

  constructor(readonly slot: string) {}

  /** Explains `photo` for `classIndex` (the predicted class when absent); a newer call supersedes this one. */
  async explain(photo: ActivationPhoto, classIndex?: number): Promise<void> {
    const id = ++this.request;
    if (this.photo !== photo) this.shown = null;
    this.photo = photo;
    this.busy = true;
    this.error = null;
    this.startedAt = performance.now();
    try {
      const engine = await model.ensure();
      if (this.size?.url !== photo.url) this.size = { url: photo.url, ...(await sizeOf(photo.url)) };
      const { width, height } = this.size;
      // A copy crosses to the engine, so the photo can be explained again for another class.
      const pixels = { ...photo.pixels, data: photo.pixels.data.slice() };
      const map = await engine.classActivation(this.slot, Comlink.transfer(pixels, [pixels.data.buffer as ArrayBuffer]), classIndex);
      if (id === this.request) this.shown = onPhoto(map, width, height);
    } catch (err) {
      if (id === this.request) this.error = err;
    } finally {
      if (id === this.request) this.busy = false;
    }
  }

  /** Another class of the same photo. */
  choose(classIndex: number): Promise<void> {
    return this.photo ? this.explain(this.photo, classIndex) : Promise.resolve();
  }

  close(): void {
    this.request++;
    this.photo = null;
    this.shown = null;
    this.busy = false;
    this.error = null;
    this.size = null;
  }
}

/** The lab's maps: what answers the lab's predictions explains them. */
export const labActivation = new ClassActivations(LAB_SLOT);
