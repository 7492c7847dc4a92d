/** Asset URLs relative to the page, so the app works from any sub-path it is hosted under. */
export function assetUrl(path: string): string {
  return new URL(`assets/${path}`, document.baseURI).href;
}

/** A base network's model.json; `dir` is its folder name (e.g. mobilenet_v1_0.25_224). */
export const MODEL_URL = (dir = 'mobilenet_v1_0.25_224') => assetUrl(`models/${dir}/model.json`);
export const CLASS_NAMES_URL = () => assetUrl('imagenet_classes.json');
export const SAMPLES_INDEX_URL = () => assetUrl('samples/index.json');
