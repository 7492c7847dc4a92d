import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { centreView, toInputBatch } from './image';
import type { Pixels } from './types';

const gradient = (w: number, h: number): Pixels => ({
  width: w,
  height: h,
  channels: 4,
  data: Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256)),
});

describe('toInputBatch', () => {
  it('passes a 224×224 centre square through unresampled, scaled to [-1, 1]', async () => {
    const p = gradient(224, 224);
    const x = toInputBatch([p], [centreView(p)]);
    const values = await x.data();
    expect(x.shape).toEqual([1, 224, 224, 3]);
    expect(values[0]).toBeCloseTo(p.data[0] / 127.5 - 1, 6);
    expect(values[5]).toBeCloseTo(p.data[6] / 127.5 - 1, 6);
    tf.dispose(x);
  });
  it('resamples any other size to the same 224×224 grid', async () => {
    const p = gradient(300, 200);
    const x = toInputBatch([p], [centreView(p)]);
    expect(x.shape).toEqual([1, 224, 224, 3]);
    const [min, max] = await Promise.all([x.min().data(), x.max().data()]);
    expect(min[0]).toBeGreaterThanOrEqual(-1);
    expect(max[0]).toBeLessThanOrEqual(1);
    tf.dispose(x);
  });
});
