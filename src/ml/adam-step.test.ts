import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAM_STEP } from './adam-step';
import { paramGroup } from './groups';
import { installWasmKernels } from './kernels-wasm';
import { rng } from './random';
import { relativeDiff } from './testing/compare';

const SHAPES = [[3, 3, 8, 1], [1, 1, 8, 16], [16]];

function randomValues(random: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}

describe('Adam as one wasm kernel per variable', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    installWasmKernels();
  });

  it('takes the same steps as tfjs’ Adam, keeps its moments where tfjs keeps them, and runs one kernel per variable', async () => {
    const random = rng(3);
    const start = SHAPES.map((s) => randomValues(random, tf.util.sizeFromShape(s)));
    const reference = SHAPES.map((s, i) => tf.variable(tf.tensor(start[i], s), true, `adam-ref-${i}`));
    const fused = SHAPES.map((s, i) => tf.variable(tf.tensor(start[i], s), true, `adam-fused-${i}`));
    const plain = tf.train.adam(0.01, 0.9, 0.999);
    const group = paramGroup(fused, 0.01);
    try {
      for (let step = 0; step < 6; step++) {
        // The last variable gets no gradient at step 2: both leave it and its moments as they were.
        const grads = SHAPES.map((s) => tf.tensor(randomValues(random, tf.util.sizeFromShape(s)), s));
        const skip = (i: number) => step === 2 && i === SHAPES.length - 1;
        plain.applyGradients(reference.map((v, i) => ({ name: v.name, tensor: skip(i) ? (null as unknown as tf.Tensor) : grads[i] })));
        const profile = await tf.profile(() => group.optimizer.applyGradients(fused.map((v, i) => ({ name: v.name, tensor: skip(i) ? (null as unknown as tf.Tensor) : grads[i] }))));
        if (step === 0) {
          const names = profile.kernels.map((k) => k.name);
          expect(names.filter((n) => n === ADAM_STEP)).toHaveLength(SHAPES.length);
          expect(names).not.toContain('Sqrt');
        }
        tf.dispose(grads);
      }
      for (let i = 0; i < SHAPES.length; i++) expect(relativeDiff(fused[i].dataSync() as Float32Array, reference[i].dataSync() as Float32Array)).toBeLessThan(1e-5);
      const [mine, theirs] = [await group.optimizer.getWeights(), await plain.getWeights()];
      expect(mine.map((w) => w.name.replace('fused', 'ref'))).toEqual(theirs.map((w) => w.name));
      mine.forEach((w, i) => expect(relativeDiff(w.tensor.dataSync() as Float32Array, theirs[i].tensor.dataSync() as Float32Array)).toBeLessThan(1e-5));
    } finally {
      plain.dispose();
      group.optimizer.dispose();
      tf.dispose([...reference, ...fused]);
    }
  });
});
