import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { classify, EMBEDDING_LAYER, preprocess } from './mobilenet';
import { blockCount, headParamCount, inventory, paramTotals, plans } from './layers';
import { CAT_PNG, readPng, shrink, testNet } from './testing/fixtures';

describe('MobileNet v1 0.25', () => {
  it('sees a cat in cat-purr.png (ImageNet 281–287 on top) through our preprocessing', async () => {
    const net = await testNet();
    const [top] = await classify(net, shrink(readPng(CAT_PNG)), 3);
    expect(top.index).toBeGreaterThanOrEqual(281);
    expect(top.index).toBeLessThanOrEqual(287);
  });

  it('preprocesses to [1, 224, 224, 3] in [-1, 1] without leaking tensors', async () => {
    await testNet();
    const before = tf.memory().numTensors;
    const x = preprocess({ width: 3, height: 2, channels: 4, data: new Uint8Array([0, 0, 0, 9, 255, 255, 255, 9, 0, 0, 0, 9, 255, 255, 255, 9, 0, 0, 0, 9, 255, 255, 255, 9]) });
    expect(x.shape).toEqual([1, 224, 224, 3]);
    const [min, max] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
    x.dispose();
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inventories 88 layers, 475,544 parameters, a stem, 13 blocks and the ImageNet head', async () => {
    const layers = inventory((await testNet()).model);
    expect(layers).toHaveLength(88);
    expect(layers.reduce((n, l) => n + l.params, 0)).toBe(475_544);
    expect(blockCount(layers)).toBe(13);
    expect(layers[0]).toMatchObject({ name: 'input_1', kind: 'input', group: 'stem', block: null, replaced: false });
    expect(layers.find((l) => l.name === 'conv_dw_7')).toMatchObject({ kind: 'depthwise', group: 'block-7', block: 7, replaced: false });
    expect(layers.find((l) => l.name === EMBEDDING_LAYER)).toMatchObject({ kind: 'relu', group: 'block-13', block: 13, outputShape: [null, 7, 7, 256] });
    expect(layers.at(-1)).toMatchObject({ group: 'imagenet-head', block: null, replaced: true });
    // Everything after the embedding layer is the ImageNet head that transfer learning replaces, and nothing before it.
    const cut = layers.findIndex((l) => l.name === EMBEDDING_LAYER);
    expect(layers.map((l) => l.replaced)).toEqual(layers.map((_, i) => i > cut));
  });

  it('counts trainable and frozen parameters per plan, including the new head', async () => {
    const layers = inventory((await testNet()).model);
    const head = headParamCount(256, 100, 2);
    expect(head).toBe(256 * 100 + 100 + 100 * 2 + 2);
    const base = 475_544 - (256 * 1000 + 1000);
    expect(paramTotals(layers, plans.featureExtraction(layers), head)).toEqual({ trainable: head, frozen: base });
    const top = plans.topBlocks(layers, 1);
    expect(Object.entries(top).filter(([, t]) => t).map(([n]) => n)).toEqual(['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']);
    // conv_dw_13: 3·3·256; its BN: γ, β of 256; conv_pw_13: 256·256; its BN: γ, β of 256.
    const learns = 9 * 256 + 512 + 256 * 256 + 512;
    expect(paramTotals(layers, top, head)).toEqual({ trainable: head + learns, frozen: base - learns });
    expect(() => plans.topBlocks(layers, 14)).toThrow(expect.objectContaining({ code: 'BAD_PLAN' }));
  });
});
