import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { ProjectFileError, packProject, unpackProject } from './project-file';
import type { Snapshot } from './db';

const photo = new Blob([new Uint8Array(jpeg.encode({ width: 8, height: 6, data: Buffer.alloc(8 * 6 * 4, 90) }, 90).data)], { type: 'image/jpeg' });
const decodes = async () => {};
const project = (base: unknown): Snapshot => ({
  classes: [{ id: 'c1', name: 'cats', order: 0 }, { id: 'c2', name: 'dogs', order: 1 }],
  photos: [{ id: 'p1', classId: 'c1', blob: photo, createdAt: 1 }],
  meta: {
    settings: { mode: 'feature-extraction', epochs: 5, base: 'mobilenet_v1_0.75' },
    plan: null,
    head: {
      format: 'transfer-lab-head@1',
      classNames: ['cats', 'dogs'],
      hiddenUnits: 0,
      embeddingLayer: 'conv_pw_13_relu',
      base,
      tunedLayers: [],
      specs: [{ name: 'head/0', shape: [768, 2], dtype: 'float32' }],
      data: new Float32Array(768 * 2).buffer,
    },
  },
});

describe('project file and the base network', () => {
  it('carries the chosen base and the base the head was trained on', async () => {
    const after = await unpackProject(await packProject(project('mobilenet_v1_0.75')), decodes);
    expect(after.meta.settings?.base).toBe('mobilenet_v1_0.75');
    expect((after.meta.head as { base: string }).base).toBe('mobilenet_v1_0.75');
  });

  it('refuses a head that names a base this version does not know', async () => {
    const err = await unpackProject(await packProject(project('resnet50')), decodes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectFileError);
    expect((err as ProjectFileError).problem).toBe('invalid');
    expect((err as ProjectFileError).detail).toMatch(/unknown base network \(resnet50\)/);
  });
});
