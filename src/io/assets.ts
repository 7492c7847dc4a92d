/** Asset URLs relative to the page, so the app works from any sub-path it is hosted under. */
export function assetUrl(path: string): string {
  return new URL(`assets/${path}`, document.baseURI).href;
}

export const MODEL_URL = () => assetUrl('model/model.json');
export const CLASS_NAMES_URL = () => assetUrl('model/imagenet_classes.json');
export const SAMPLES_INDEX_URL = () => assetUrl('samples/index.json');
