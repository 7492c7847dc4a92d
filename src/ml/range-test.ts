import * as tf from '@tensorflow/tfjs';
import type { TunableBase } from './base';
import type { BottleneckCache } from './cache';
import { batches, stratifiedSplit } from './dataset';
import { disposeGroups, paramGroup } from './groups';
import type { ParamGroup } from './groups';
import { createHead } from './head';
import { learnableWeights } from './layers';
import { RANGE_DEFAULTS, sweep } from './lr-range';
import type { RangeCurve } from './lr-range';
import { EMBEDDING_LAYER } from './mobilenet';
import type { Resolved, TrainEvent } from './options';
import { rng, shuffled } from './random';
import { fillCache, scoreSet, trainStep } from './step';
import type { BaseSplit } from './suffix';
import type { Sample } from './types';
import { breathe } from './yield';

export interface RangeTestResult extends RangeCurve {
  target: 'head' | 'base';
  cancelled: boolean;
}

/** What the Trainer lends a range test: its base copy, the split of the plan and its bottleneck cache for that cut. */
export interface RangeTestContext {
  base: TunableBase;
  split: BaseSplit;
  cacheFor: (samples: readonly Sample[]) => BottleneckCache;
}

/** Training photos whose loss is read after every step. */
const PROBE = 64;

const varsOf = (layers: readonly tf.layers.Layer[]) => layers.flatMap((l) => learnableWeights(l).map((w) => w.read() as tf.Variable));

/**
 * A learning-rate range test on the project's photos, through the cache a run would use. It starts where a fresh
 * run starts (ImageNet weights, a new head) and leaves nothing changed: the trainer's own head is never used, and
 * every base layer it could move (those fine-tuning had tuned, those the sweep trains) is copied first and
 * written back after, bit for bit.
 * - 'head' target: a fresh head's rate sweeps on the cached embeddings.
 * - 'base' target: the head trains first (`headEpochs` at its rate, base frozen), then keeps learning at that fixed
 *   rate while the unfrozen layers' rate sweeps: the question a base rate answers is how fast those layers may move
 *   under a head that already makes sense, not under a random one.
 */
export async function rangeTest(
  ctx: RangeTestContext,
  samples: Sample[],
  o: Resolved & { target: 'head' | 'base'; headEpochs: number; steps?: number; minRate?: number; maxRate?: number },
  emit: (e: TrainEvent) => void,
  signal?: AbortSignal,
): Promise<RangeTestResult> {
  const { base, split } = ctx;
  const tuned = base.tunedLayers.map((name) => base.layers.findIndex((l) => l.name === name));
  const moved = [...new Set([...tuned, ...split.trainable])];
  const saved = moved.map((i) => base.layers[i].weights.map((w) => tf.clone(w.read())));
  const embeddingSize = base.model.getLayer(EMBEDDING_LAYER).outputShape.at(-1) as number;
  const head = createHead({ embeddingSize, hiddenUnits: o.hiddenUnits, numClasses: o.classNames.length, dropout: o.dropout }, o.seed);
  const groups: ParamGroup[] = [];
  const empty: RangeTestResult = { target: o.target, rates: [], losses: [], smoothed: [], suggested: null, cancelled: true };
  try {
    base.reset();
    const random = rng(o.seed);
    const { train } = stratifiedSplit(samples, o.validationSplit, random);
    const cache = ctx.cacheFor(samples);
    if (await fillCache(cache, split, samples, emit, signal)) return empty;
    const features = (batch: readonly Sample[]) => tf.tidy(() => cache.batch(batch));
    // Each step's loss is read on the same photos: on a few dozen photos, one batch's loss differs from the next's
    // more than one rate's from the next (as torch-lr-finder does with a fixed evaluation set).
    const probe = shuffled(train, random).slice(0, PROBE);
    let queue: Sample[][] = [];
    /** One step on the next batch (a fresh shuffle when an epoch's batches run out); returns the probe's loss after it. */
    const step = async (): Promise<number> => {
      if (!queue.length) queue = batches(train, o.batchSize, random);
      const batch = queue.shift()!;
      const dropoutSeed = o.dropout > 0 ? Math.floor(random() * 2 ** 31) : undefined;
      trainStep(groups, split, head, features(batch), batch, { l2: o.l2, dropoutSeed }).dispose();
      const { loss } = await scoreSet(probe, features, split, head, o.classNames.length);
      await breathe();
      return loss;
    };
    groups.push(paramGroup(varsOf(head.layers), o.learningRate));
    if (o.target === 'base') {
      const perEpoch = Math.ceil(train.length / o.batchSize);
      for (let epoch = 1; epoch <= o.headEpochs; epoch++) {
        for (let b = 1; b <= perEpoch; b++) {
          if (signal?.aborted) return empty;
          const t0 = performance.now();
          emit({ type: 'batch', epoch, batch: b, batches: perEpoch, loss: await step(), ms: performance.now() - t0 });
        }
      }
      groups.push(paramGroup(varsOf(split.trainable.map((i) => base.layers[i])), o.learningRate));
    }
    const swept = groups.at(-1)!.optimizer;
    const steps = o.steps ?? RANGE_DEFAULTS.steps;
    const curve = await sweep(
      async (rate, i) => {
        swept.rate = rate;
        const loss = await step();
        emit({ type: 'sweep', step: i + 1, steps, rate, loss });
        return loss;
      },
      { steps, minRate: o.minRate, maxRate: o.maxRate, stop: () => !!signal?.aborted },
    );
    return { ...curve, target: o.target, cancelled: !!signal?.aborted };
  } finally {
    disposeGroups(groups);
    head.dispose();
    moved.forEach((i, k) => base.layers[i].weights.forEach((w, j) => w.write(saved[k][j])));
    tf.dispose(saved.flat());
    if (tuned.length) base.markTrained(tuned);
  }
}
