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
  it('crops the centre square of any other size and resamples it to 224×224: the margins never leak in', async () => {
    // 448×300: green margins of 74 px either side of a 300×300 square, red on its left half, blue on its right.
    const p: Pixels = { width: 448, height: 300, channels: 3, data: new Uint8Array(448 * 300 * 3) };
    for (let y = 0; y < 300; y++) {
      for (let x = 0; x < 448; x++) {
        const rgb = x < 74 || x >= 374 ? [0, 255, 0] : x < 224 ? [255, 0, 0] : [0, 0, 255];
        p.data.set(rgb, (y * 448 + x) * 3);
      }
    }
    const x = toInputBatch([p], [centreView(p)]);
    expect(x.shape).toEqual([1, 224, 224, 3]);
    const at = async (row: number, col: number) => Array.from(await x.slice([0, row, col, 0], [1, 1, 1, 3]).data());
    expect(await at(100, 5)).toEqual([1, -1, -1]);
    expect(await at(100, 218)).toEqual([-1, -1, 1]);
    expect((await x.slice([0, 0, 0, 1], [1, 224, 224, 1]).max().data())[0]).toBeLessThan(-0.999);
    const mirrored = toInputBatch([p], [{ ...centreView(p), flip: true }]);
    expect(Array.from(await mirrored.slice([0, 100, 5, 0], [1, 1, 1, 3]).data())).toEqual([-1, -1, 1]);
    tf.dispose([x, mirrored]);
  });
});
