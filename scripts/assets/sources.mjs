// Where every asset comes from. The sha256 of each file is in assets.lock.json beside this file.
export const MODELS = ['mobilenet_v1_0.25_224', 'mobilenet_v1_0.75_224'];
export const modelUrl = (name) => `https://storage.googleapis.com/tfjs-models/tfjs/${name}/`;
/** Keras' ImageNet index ({"0": ["n01440764", "tench"], …}); setup converts it to a plain array of names. */
export const CLASS_INDEX_URL = 'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json';
/** clothing-dataset-small (CC0) at the commit the mirror was taken from. */
export const CLOTHING_COMMIT = '11961516512414bf9f6c150a832cfd21b54a6b54';
export const clothingUrl = (path) => `https://raw.githubusercontent.com/alexeygrigorev/clothing-dataset-small/${CLOTHING_COMMIT}/${path}`;
/** The App Inventor kitten (Apache-2.0), a quick check that preprocessing is right: ImageNet says "cat". */
export const CAT_URL = 'https://raw.githubusercontent.com/mit-cml/appinventor-extensions/c0db0f3a06db42370396fc169b098389be84be28/appinventor/appengine/src/com/google/appinventor/images/purr.png';
/** Photos per clothing class in the test cache: enough for held-out sets that chance cannot pass. */
export const PHOTOS_PER_CLASS = 40;
/** The classes and count the app offers under "Try with sample photos". */
export const SAMPLE_CLASSES = ['shoes', 'hat', 't-shirt'];
export const SAMPLES_PER_CLASS = 12;
