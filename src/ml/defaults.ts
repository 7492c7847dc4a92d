/**
 * The one home of the training defaults: the engine fills options from here, the lab starts from here, and the
 * chapters' experiments take their small budget from here.
 */

/** MobileNet v1's input side in pixels (the 224 checkpoints). */
export const IMAGE_SIZE = 224;

/** Units of the head's hidden layer (embedding → hidden → classes), as in Teachable Machine. */
export const HIDDEN_UNITS = 100;

/** Learning rate of a head trained on frozen embeddings (Adam). */
export const HEAD_LEARNING_RATE = 1e-3;

/** Learning rate once base layers learn: small enough to nudge the pretrained features, not wreck them (Keras guide). */
export const FINE_TUNE_LEARNING_RATE = 1e-5;

/** With base layers learning, a rate above this gets the lab's suggestion to use FINE_TUNE_LEARNING_RATE instead. */
export const FINE_TUNE_RATE_WARNING = 1e-4;

export const BATCH_SIZE = 16;

/** Per-class fraction held out for validation, as in Teachable Machine. */
export const VALIDATION_SPLIT = 0.15;

/** Drives the split, batch order, head init and augmentation. */
export const SEED = 1;

/** Photos each class needs before the lab trains (fewer cannot be split into something to learn and something to check). */
export const MIN_PHOTOS_PER_CLASS = 2;

/** Epochs the lab starts with. */
export const EPOCHS = 20;

/**
 * The chapters' experiments: 8 photos a class, so small batches, a larger held-out share (2 photos a class)
 * and a fixed seed, the same in every widget so their results can be set side by side.
 */
export const EXPERIMENT = { batchSize: 4, validationSplit: 0.25, seed: 7, hiddenUnits: HIDDEN_UNITS } as const;
