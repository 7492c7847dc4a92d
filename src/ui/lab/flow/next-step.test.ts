import { describe, expect, it } from 'vitest';
import { MIN_PHOTOS_PER_CLASS } from '../../../ml/defaults';
import { flowSteps, type FlowInput } from './next-step';
import en from '../../../i18n/messages/flow/en.json';
import ptBR from '../../../i18n/messages/flow/pt-BR.json';

const fresh: FlowInput = { classes: [{ name: 'A', photos: 0 }, { name: 'B', photos: 0 }], status: 'idle', trained: false, blocker: 'few-photos', mode: 'feature-extraction' };
const withPhotos = (a: number, b: number): FlowInput['classes'] => [{ name: 'A', photos: a }, { name: 'B', photos: b }];
const states = (input: FlowInput) => flowSteps(input).map((s) => s.state);

describe('flowSteps', () => {
  it('a fresh lab asks for photos, waits to train and offers ImageNet in the preview', () => {
    const [classes, train, preview] = flowSteps(fresh);
    expect(classes).toEqual({ state: 'needs-photos', key: 'classes.fewPhotos', values: { min: MIN_PHOTOS_PER_CLASS, name: 'A', n: 0 } });
    expect(train).toEqual({ state: 'waiting', key: 'train.needsPhotos' });
    expect(preview).toEqual({ state: 'waiting', key: 'preview.untrained' });
  });

  it('names the first class that is short of photos', () => {
    const [classes] = flowSteps({ ...fresh, classes: withPhotos(2, 1) });
    expect(classes.values).toMatchObject({ name: 'B', n: 1 });
  });

  it('one class asks for a second one', () => {
    const [classes, train] = flowSteps({ ...fresh, classes: [{ name: 'A', photos: 5 }], blocker: 'one-class' });
    expect(classes.key).toBe('classes.oneClass');
    expect(train.state).toBe('waiting');
  });

  it('enough photos: step 1 done with its totals, ready to train', () => {
    const [classes, train] = flowSteps({ ...fresh, classes: withPhotos(3, 2), blocker: null });
    expect(classes).toEqual({ state: 'done', key: 'classes.done', values: { photos: 5, classes: 2 } });
    expect(train).toEqual({ state: 'ready', key: 'train.ready' });
  });

  it('ready to fine-tune points to the layer list, where the switches are', () => {
    expect(flowSteps({ ...fresh, classes: withPhotos(2, 2), blocker: null, mode: 'fine-tune' })[1]).toEqual({ state: 'ready', key: 'train.readyFineTune' });
    expect(flowSteps({ ...fresh, classes: withPhotos(2, 2), blocker: null, mode: 'two-phase' })[1]).toEqual({ state: 'ready', key: 'train.ready' });
  });

  it('photos in but the model still loading: training waits and says why', () => {
    expect(flowSteps({ ...fresh, classes: withPhotos(2, 2), blocker: 'model' })[1]).toEqual({ state: 'waiting', key: 'train.model' });
  });

  it('running, then done: the preview opens once the head is trained', () => {
    const ready = { ...fresh, classes: withPhotos(2, 2), blocker: null };
    expect(states({ ...ready, status: 'running' })).toEqual(['done', 'running', 'waiting']);
    expect(states({ ...ready, status: 'done', trained: true })).toEqual(['done', 'done', 'ready']);
  });

  it('a failed or cancelled run can be started again', () => {
    const ready = { ...fresh, classes: withPhotos(2, 2), blocker: null };
    expect(flowSteps({ ...ready, status: 'error' })[1]).toEqual({ state: 'ready', key: 'train.failed' });
    expect(flowSteps({ ...ready, status: 'cancelled' })[1]).toEqual({ state: 'ready', key: 'train.cancelled' });
  });

  it('a head restored from an earlier visit (or imported) can be tried before any photo is added', () => {
    const [, train, preview] = flowSteps({ ...fresh, trained: true });
    expect(train.state).toBe('waiting');
    expect(preview).toEqual({ state: 'ready', key: 'preview.trained' });
    expect(flowSteps({ ...fresh, classes: withPhotos(2, 2), blocker: null, trained: true })[1]).toEqual({ state: 'done', key: 'train.restored' });
  });

  it('every status it can say is translated in English and Portuguese', () => {
    const lookup = (messages: object, key: string) => key.split('.').reduce<unknown>((m, k) => (m as Record<string, unknown> | undefined)?.[k], messages);
    const said = new Set<string>();
    for (const classes of [[{ name: 'A', photos: 5 }], withPhotos(0, 0), withPhotos(1, 3), withPhotos(2, 2)]) {
      for (const status of ['idle', 'running', 'done', 'cancelled', 'error'] as const) {
        for (const blocker of ['one-class', 'few-photos', 'model', null] as const) {
          for (const trained of [false, true]) for (const mode of ['feature-extraction', 'fine-tune', 'two-phase'] as const) for (const s of flowSteps({ classes, status, blocker, trained, mode })) said.add(s.key);
        }
      }
    }
    // 3 for the classes, 9 for training, 3 for the preview: every branch was reached.
    expect(said.size).toBe(15);
    for (const key of said) {
      expect(typeof lookup(en.flow, key), `en ${key}`).toBe('string');
      expect(typeof lookup(ptBR.flow, key), `pt-BR ${key}`).toBe('string');
    }
  });
});
