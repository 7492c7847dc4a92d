// The engine's public face: what the worker host, the page and the benchmark use. Tests import modules directly.
export { EngineError } from './types';
export type { BackendName, DecodedSample, EncodedPixels, PixelSource, Pixels, Sample } from './types';
export { chooseBackend } from './backend';
export type { BackendChoice } from './backend';
export { EMBEDDING_LAYER, classify, loadMobileNet, preprocess, truncatedModel } from './mobilenet';
export type { MobileNet } from './mobilenet';
export { IMAGE_SIZE } from './defaults';
export { inventory, plans } from './layers';
export type { FreezePlan, LayerInfo } from './layers';
export { Trainer } from './train';
export type { TwoPhaseEvent, TwoPhaseOptions } from './train';
export type { RangeTestOptions, TrainEvent, TrainOptions, TrainResult } from './options';
export type { RangeTestResult } from './range-test';
export type { HeadSnapshot } from './persist';
export type { FrozenCheck } from './proof';
export { checkAgainstTfGrad } from './backprop';
export { TinyMlp } from './mlp';
