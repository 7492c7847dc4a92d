import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { shareRows, type GradientPeer, type Parallel, type ShareRequest } from './data-parallel';
import { inventory, plans } from './layers';
import type { MobileNet } from './mobilenet';
import { Replica } from './replica';
import { photos, testNet } from './testing/fixtures';
import { Trainer } from './train';
import type { TrainOptions } from './options';
import type { DecodedSample } from './types';

let net: MobileNet;
let small: DecodedSample[];
const classNames = ['shoes', 'hat'];

beforeAll(async () => {
  net = await testNet();
  small = photos(classNames, 3);
  expect(await chooseBackend({ requested: 'wasm' })).toMatchObject({ name: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Peers in this thread, each a Replica fed structured clones, as a worker would be (same backend, same maths). */
function inProcess(count: number, fail?: () => boolean): Parallel & { requests: ShareRequest[]; solos: number; failures: unknown[]; replicas: Replica[] } {
  const replicas = Array.from({ length: count }, () => new Replica());
  const self = {
    requests: [] as ShareRequest[],
    solos: 0,
    failures: [] as unknown[],
    off: false,
    replicas,
  };
  const peers: GradientPeer[] = replicas.map((r) => ({
    holds: null,
    memory: null,
    share: async (req: ShareRequest) => {
      self.requests.push(req);
      if (fail?.()) throw new Error('the replica worker died');
      // As a worker gets it: a structured clone, in which the SharedArrayBuffer stays shared.
      return r.share(structuredClone(req));
    },
  }));
  return Object.assign(self, {
    peers: () => (self.off ? [] : peers),
    solo: <T>(compute: () => T) => (self.solos++, compute()),
    failed: (err: unknown) => ((self.off = true), self.failures.push(err)),
  });
}

const fineTune = (extra: Partial<TrainOptions>): TrainOptions => ({
  mode: 'fine-tune',
  classNames,
  plan: plans.topBlocks(inventory(net.model), 2),
  epochs: 2,
  batchSize: 6,
  learningRate: 1e-3,
  seed: 7,
  validationSplit: 0,
  useCache: false,
  ...extra,
});

/** Every weight of the trainer's exported model (base and head), flattened. */
async function weightsOf(trainer: Trainer): Promise<Float32Array> {
  // The exported model is built on the trainer's own layers: nothing to release.
  const all = await Promise.all(trainer.exportModel().getWeights().map((w) => w.data() as Promise<Float32Array>));
  return Float32Array.from(all.flatMap((a) => Array.from(a)));
}

const maxRelative = (a: Float32Array, b: Float32Array) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-3));
  return worst;
};

describe('sharing a batch by pace', () => {
  it('gives engines rows in proportion to their speed, each at least one, all n in all', () => {
    expect(shareRows(16, [1, 1])).toEqual([0, 8, 16]);
    // The engine at 30 ms a row is a third as fast as its peer at 10.
    expect(shareRows(16, [30, 10])).toEqual([0, 4, 16]);
    expect(shareRows(17, [20, 20, 20])).toEqual([0, 6, 12, 17]);
    expect(shareRows(3, [1, 100, 100])).toEqual([0, 1, 2, 3]);
    expect(shareRows(5, [1, 1e6])).toEqual([0, 4, 5]);
  });
});

describe('data-parallel steps', () => {
  it('a batch shared with two peers takes the same steps as the engine alone (top 2 blocks, L2 on, 2 epochs)', async () => {
    const before = tf.memory().numTensors;
    const alone = new Trainer(net);
    const shared = new Trainer(net);
    const parallel = inProcess(2);
    shared.parallel = parallel;
    const options = fineTune({ l2: 1e-3 });
    const a = await alone.train(small, options);
    const b = await shared.train(small, options);
    // 6 photos, batch 6, 2 epochs: 2 steps, each cut into 2 + 2 + 2 rows.
    expect(parallel.requests).toHaveLength(4);
    expect(parallel.requests.map((r) => r.shape[0])).toEqual([2, 2, 2, 2]);
    expect(parallel.solos).toBe(2);
    // The model travels once per peer and run; later steps carry the learning variables only.
    expect(parallel.requests.map((r) => r.model !== undefined)).toEqual([true, true, false, false]);
    // The suffix from conv_dw_12, whose 8 layers have 12 variables, and the head's 4.
    expect(parallel.requests[0].keys).toHaveLength(16);
    b.history.forEach((e, i) => {
      expect(Math.abs(e.loss - a.history[i].loss) / a.history[i].loss).toBeLessThan(1e-4);
      expect(e.accuracy).toBe(a.history[i].accuracy);
    });
    expect(b.frozenCheck.changed).toBe(0);
    expect(maxRelative(await weightsOf(shared), await weightsOf(alone))).toBeLessThan(1e-3);
    alone.dispose();
    shared.dispose();
    parallel.replicas.forEach((r) => r.dispose());
    // Everything the replicas loaded goes with them. (exportModel after a fine-tune keeps 4 tensors a call, twice above: an
    // existing leak, not the replicas'.)
    expect(tf.memory().numTensors).toBe(before + 8);
  });

  it('a peer that fails leaves the step to the engine: the run ends as it would alone, and later steps are not shared', async () => {
    const alone = new Trainer(net);
    const a = await alone.train(small, fineTune({}));
    alone.dispose();
    const before = tf.memory().numTensors;
    const shared = new Trainer(net);
    const parallel = inProcess(1, () => true);
    shared.parallel = parallel;
    const b = await shared.train(small, fineTune({}));
    expect(parallel.requests).toHaveLength(1);
    expect(parallel.failures).toHaveLength(1);
    b.history.forEach((e, i) => expect(Math.abs(e.loss - a.history[i].loss) / a.history[i].loss).toBeLessThan(1e-4));
    shared.dispose();
    // The failed step's own share was released with it.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('head-only training is never shared: its steps are too small to pay for a hand-off', async () => {
    const trainer = new Trainer(net);
    const parallel = inProcess(1);
    trainer.parallel = parallel;
    await trainer.train(small, { mode: 'feature-extraction', classNames, epochs: 2, batchSize: 6, learningRate: 1e-2, seed: 7, validationSplit: 0 });
    expect(parallel.requests).toHaveLength(0);
    trainer.dispose();
  });
});
