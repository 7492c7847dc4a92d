import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toArtifacts } from '../worker/artifacts';
import { preprocess } from './mobilenet';
import { photos, testNet } from './testing/fixtures';
import { blockOf, forTfjs13, INPUT_SCALE_LAYER, leafLayers, readingLabPixels, tmExport, tmMetadata, TmFormatError, unwrapTm, withInputScale } from './tm-format';
import { Trainer } from './train';
import type { MobileNet } from './mobilenet';

const TFJS_13 = path.resolve(__dirname, '../../node_modules/tfjs-tm/dist/tf.min.js');

/** Loads model.json + weights.bin with tfjs 1.3.1 in its own process (two tfjs engines cannot share one) and predicts. */
const LOAD_WITH_13 = `
const tf = require(process.argv[2]);
const fs = require('fs'); const path = require('path');
(async () => {
  const dir = process.argv[3];
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  const input = fs.readFileSync(path.join(dir, 'input.bin'));
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
  const x = tf.tensor4d(new Float32Array(input.buffer.slice(input.byteOffset, input.byteOffset + input.length)), [1, 224, 224, 3]);
  process.stdout.write(JSON.stringify({ version: tf.version.tfjs, probabilities: Array.from(await model.predict(x).data()) }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

let net: MobileNet;
beforeAll(async () => {
  net = await testNet();
});

describe('Teachable Machine format', () => {
  it('exports a pipeline that tfjs 1.3.1 (what @teachablemachine/image 0.8.5 runs on) loads and that predicts the same probabilities', async () => {
    const classNames = ['shoes', 'hat'];
    const trainer = new Trainer(net);
    await trainer.train(photos(classNames, 3), { mode: 'feature-extraction', classNames, epochs: 2, batchSize: 4, learningRate: 1e-3, seed: 3 });
    const model = trainer.exportModel();
    const artifacts = await toArtifacts(model);
    const { json, weights } = tmExport(artifacts);
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const dir = mkdtempSync(path.join(tmpdir(), 'tm-export-'));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weights));
    const photo = photos(['hat'], 1, 224, 5)[0].pixels;
    // The lab feeds s = x/127.5 − 1; TM's capture() feeds t = x/127 − 1 of the same crop.
    const s = preprocess(photo);
    const t = tf.tidy(() => s.add(1).mul(127.5).div(127).sub(1));
    writeFileSync(path.join(dir, 'input.bin'), Buffer.from((await t.data()).buffer as ArrayBuffer));
    const ours = Array.from(await (model.predict(s) as tf.Tensor).data());
    tf.dispose([s, t]);
    writeFileSync(path.join(dir, 'load.cjs'), LOAD_WITH_13);
    const out = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'load.cjs'), TFJS_13, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as {
      version: string;
      probabilities: number[];
    };
    expect(out.version).toBe('1.3.1');
    expect(out.probabilities).toHaveLength(2);
    out.probabilities.forEach((p, i) => expect(p).toBeCloseTo(ours[i], 4));
    expect(out.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  }, 120_000);

  it("renames tfjs ≥ 3's 'Functional' to 'Model' and refuses layers and activations tfjs 1.3.1 does not know", () => {
    const functional = { class_name: 'Functional', config: { name: 'm', layers: [{ class_name: 'Dense', config: { activation: 'relu', units: 2 } }] } };
    expect(forTfjs13(functional)).toEqual({ ...functional, class_name: 'Model' });
    expect(functional.class_name).toBe('Functional');
    const rescaling = { class_name: 'Model', config: { layers: [{ class_name: 'Rescaling', config: { scale: 1 } }] } };
    expect(() => forTfjs13(rescaling)).toThrow(TmFormatError);
    expect(() => forTfjs13(rescaling)).toThrow(/Rescaling/);
    const gelu = { class_name: 'Model', config: { layers: [{ class_name: 'Dense', config: { activation: 'gelu', units: 2 } }] } };
    expect(() => forTfjs13(gelu)).toThrow(/activation gelu/);
    const lecun = { class_name: 'Dense', config: { kernel_initializer: { class_name: 'LeCunUniform', config: {} } } };
    expect(() => forTfjs13(lecun)).toThrow(/LeCunUniform/);
  });

  it("puts TM's pixel scaling after the input: the layers that read the input read the scale layer, two weights appended", () => {
    const topology = {
      class_name: 'Model',
      config: {
        name: 'm',
        input_layers: [['input_1', 0, 0]],
        output_layers: [['conv1', 0, 0]],
        layers: [
          { name: 'input_1', class_name: 'InputLayer', config: {}, inbound_nodes: [] },
          { name: 'conv1', class_name: 'Conv2D', config: {}, inbound_nodes: [[['input_1', 0, 0, {}]]] },
        ],
      },
    };
    const out = withInputScale(topology, [{ name: 'conv1/kernel', shape: [1], dtype: 'float32' }], new Float32Array([7]).buffer, { scale: 2, shift: -1 });
    const layers = (out.topology as typeof topology).config.layers;
    expect(layers.map((l) => l.name)).toEqual(['input_1', INPUT_SCALE_LAYER, 'conv1']);
    expect(layers[1].inbound_nodes).toEqual([[['input_1', 0, 0, {}]]]);
    expect(layers[2].inbound_nodes).toEqual([[[INPUT_SCALE_LAYER, 0, 0, {}]]]);
    expect(out.specs.map((w) => w.name)).toEqual(['conv1/kernel', `${INPUT_SCALE_LAYER}/depthwise_kernel`, `${INPUT_SCALE_LAYER}/bias`]);
    expect(Array.from(new Float32Array(out.weights))).toEqual([7, 2, 2, 2, -1, -1, -1]);
    expect(topology.config.layers).toHaveLength(2);
    expect(() => withInputScale(out.topology, out.specs, out.weights, { scale: 1, shift: 0 })).toThrow(/already/);
    expect(() => withInputScale({ class_name: 'Sequential', config: { layers: [] } }, [], new ArrayBuffer(0), { scale: 1, shift: 0 })).toThrow(TmFormatError);
  });

  it('an imported TM model reads the lab’s pixels through the inverse map, and comes out again unwrapped (also after a save/load)', async () => {
    const tm = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [224, 224, 3] }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: 'glorotUniform' })] });
    const wrapped = readingLabPixels(tm);
    const s = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const t = tf.tidy(() => s.add(1).mul(127.5).div(127).sub(1));
    const viaWrapper = await (wrapped.predict(s) as tf.Tensor).data();
    const direct = await (tm.predict(t) as tf.Tensor).data();
    Array.from(direct).forEach((p, i) => expect(viaWrapper[i]).toBeCloseTo(p, 5));
    expect(unwrapTm(wrapped)).toBe(tm);
    expect(unwrapTm(tm)).toBeNull();
    const copy = await tf.loadLayersModel(tf.io.fromMemory(await toArtifacts(wrapped)));
    expect(unwrapTm(copy)?.layers.map((l) => l.getClassName())).toEqual(['Flatten', 'Dense']);
    tf.dispose([s, t]);
    copy.dispose();
    wrapped.dispose();
  });

  it('writes metadata.json in TM image schema', () => {
    const meta = tmMetadata(['a', 'b'], 'my model', new Date('2026-11-23T20:00:00Z'));
    expect(meta).toMatchObject({
      tfjsVersion: '1.3.1',
      packageName: '@teachablemachine/image',
      packageVersion: '0.8.5',
      tmVersion: '0.8.5',
      timeStamp: '2026-11-23T20:00:00.000Z',
      modelName: 'my model',
      labels: ['a', 'b'],
      imageSize: 224,
    });
    expect(typeof meta.userMetadata).toBe('object');
  });

  it('groups layers into blocks by name without assuming MobileNet v1 names', () => {
    expect(['conv1', 'conv1_bn', 'conv1_relu', 'conv_dw_5', 'conv_dw_5_bn', 'conv_pw_5_relu'].map(blockOf)).toEqual(['conv1', 'conv1', 'conv1', 'conv_5', 'conv_5', 'conv_5']);
    expect(['Conv1', 'bn_Conv1', 'Conv1_relu', 'expanded_conv_depthwise', 'expanded_conv_depthwise_BN', 'expanded_conv_project_BN'].map(blockOf)).toEqual([
      'Conv1',
      'Conv1',
      'Conv1',
      'expanded_conv',
      'expanded_conv',
      'expanded_conv',
    ]);
    expect(['block_1_expand', 'block_1_pad', 'block_1_depthwise_relu', 'block_16_project_BN', 'Conv_1', 'Conv_1_bn', 'out_relu'].map(blockOf)).toEqual([
      'block_1',
      'block_1',
      'block_1',
      'block_16',
      'Conv_1',
      'Conv_1',
      'out',
    ]);
  });

  it('opens nested models (TM nests a functional base inside Sequentials) into their leaf layers', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const c = tf.layers.conv2d({ name: 'block_1_expand', filters: 4, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const r = tf.layers.reLU({ name: 'block_1_expand_relu', maxValue: 6 }).apply(c) as tf.SymbolicTensor;
    const base = tf.model({ inputs: input, outputs: r, name: 'base' });
    const outer = tf.sequential({ layers: [tf.sequential({ layers: [base, tf.layers.globalAveragePooling2d({ name: 'pool' })] }), tf.layers.dense({ name: 'dense_1', units: 2 })] });
    const leaves = leafLayers(outer);
    expect(leaves.map((l) => l.name)).toEqual(['block_1_expand', 'block_1_expand_relu', 'pool', 'dense_1']);
    expect(leaves.map((l) => l.group)).toEqual(['block_1', 'block_1', 'pool', 'dense_1']);
    expect(leaves[0]).toMatchObject({ className: 'Conv2D', params: 3 * 4 + 4, outputShape: [null, 8, 8, 4] });
    expect(leaves[3].params).toBe(4 * 2 + 2);
    outer.dispose();
  });
});
